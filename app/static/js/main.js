// Bootstrap of the network explorer page.
import { startPage } from "./index-page.js";

startPage(document);
