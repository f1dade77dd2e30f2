// Bootstrap of the model page.
import { startModelPage } from "./page.js";

startModelPage(document.querySelector("[data-model-page]"));
