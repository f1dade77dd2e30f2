// Bootstrap of the training page.
import { startTrainPage } from "./page.js";

startTrainPage(document.querySelector("[data-train-page]"));
