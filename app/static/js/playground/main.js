// Bootstrap of the convolution playground page.
import { startPlayground } from "./page.js";

startPlayground(document.querySelector("[data-playground]"));
