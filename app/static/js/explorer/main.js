// Bootstrap of the network explorer page.
import { startExplorer } from "./page.js";

startExplorer(document);
