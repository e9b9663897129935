// An Express app with glassbox: a page with a form, a JSON API, an error route and some logging.
// Run from the repository: npm run example   (PORT=4000 npm run example to change the port)
import express from "express";
// In your own app: import { glassbox } from "glassbox/express";
import { glassbox } from "../../src/adapters/express.js";

interface Note {
  id: number;
  text: string;
  createdAt: string;
}

const notes: Note[] = [
  { id: 1, text: "Open the glassbox toolbar on this page.", createdAt: new Date().toISOString() },
];
const app = express();

// First middleware, so glassbox sees every request (and after compression() if you use it).
app.use(glassbox({ service: "example-express", settings: { notesLimit: 100 } }));
app.use(express.urlencoded({ extended: false }));
app.use(express.json());

app.get("/", (_req, res) => {
  console.log(`rendering ${notes.length} notes`);
  const items = notes.map((n) => `<li>${escapeHtml(n.text)} <small>${n.createdAt}</small></li>`).join("");
  res.send(`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>glassbox + Express</title></head>
  <body>
    <h1>Notes</h1>
    <ul>${items}</ul>
    <form method="post" action="/notes">
      <input name="text" placeholder="A new note" required>
      <button>Add</button>
    </form>
    <p><a href="/api/notes">JSON API</a> · <a href="/slow">a slow page</a> · <a href="/boom">an error</a> · <a href="/__glassbox/">dashboard</a></p>
  </body>
</html>`);
});

app.post("/notes", (req, res) => {
  const text = typeof req.body?.text === "string" ? req.body.text.trim() : "";
  if (!text) {
    console.warn("ignoring an empty note");
    return res.redirect(303, "/");
  }
  notes.push({ id: notes.length + 1, text, createdAt: new Date().toISOString() });
  console.info(`added note ${notes.length}`);
  res.redirect(303, "/");
});

app.get("/api/notes", (_req, res) => {
  res.json({ notes });
});

app.get("/api/notes/:id", (req, res) => {
  const note = notes.find((n) => n.id === Number(req.params.id));
  if (!note) return res.status(404).json({ error: "no such note" });
  res.json(note);
});

app.get("/slow", async (_req, res) => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  console.log("that took a while");
  res.send("<!doctype html><html><body><p>Slow, on purpose.</p></body></html>");
});

app.get("/boom", () => {
  console.error("about to fail on purpose");
  throw new Error("Something went wrong on purpose");
});

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const port = Number(process.env.PORT ?? 3000);
app.listen(port, "127.0.0.1", () => {
  console.log(`Example app:        http://localhost:${port}/`);
  console.log(`glassbox dashboard: http://localhost:${port}/__glassbox/`);
});
