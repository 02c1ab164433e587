import "./styles.css";
import { ConsoleApp } from "./app.js";

new ConsoleApp(document.getElementById("app")!).start();
