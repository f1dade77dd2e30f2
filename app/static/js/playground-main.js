// Bootstrap of the convolution playground page.
import { startPlayground } from "./playground-app.js";

startPlayground(document.querySelector("[data-playground]"));
