// A small Hono app with glassbox: a page with a form, a JSON route, an error route, some logging.
// Run: node --import tsx examples/hono/app.ts   (PORT=4000 to change the port)
import { serve } from "@hono/node-server";
import { Hono } from "hono";
// In your own app: import { glassbox } from "glassbox/hono";
import { glassbox } from "../../src/adapters/hono.js";

interface Note {
  id: number;
  text: string;
}
const notes: Note[] = [{ id: 1, text: "Open the glassbox toolbar at the bottom right of this page." }];

const app = new Hono();
// First, so glassbox sees every request; pass the app so the routes panel can list its routes.
app.use(glassbox({ app }));

app.get("/", (c) => {
  console.log(`rendering ${notes.length} notes`);
  const items = notes.map((n) => `<li>${escapeHtml(n.text)}</li>`).join("");
  return c.html(`<!doctype html>
<html>
  <head><meta charset="utf-8"><title>glassbox + Hono</title></head>
  <body>
    <h1>Notes</h1>
    <ul>${items}</ul>
    <form method="post" action="/notes">
      <input name="text" placeholder="A new note" required>
      <button>Add</button>
    </form>
    <p><a href="/api/notes">JSON</a> · <a href="/notes/1">one note</a> · <a href="/boom">an error</a> · <a href="/__glassbox/">dashboard</a></p>
  </body>
</html>`);
});

app.post("/notes", async (c) => {
  const body = await c.req.parseBody();
  const text = String(body.text ?? "").trim();
  if (!text) {
    console.warn("ignoring an empty note");
    return c.redirect("/", 303);
  }
  notes.push({ id: notes.length + 1, text });
  console.info(`added note ${notes.length}`);
  return c.redirect("/", 303);
});

app.get("/api/notes", (c) => c.json(notes));

app.get("/notes/:id", (c) => {
  const note = notes.find((n) => n.id === Number(c.req.param("id")));
  return note ? c.json(note) : c.json({ error: "no such note" }, 404);
});

app.get("/boom", () => {
  console.error("about to fail on purpose");
  throw new Error("Something went wrong on purpose");
});

app.onError((error, c) => c.text(`Error: ${error.message}`, 500));

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, (info) => {
  console.log(`Hono example:       http://localhost:${info.port}/`);
  console.log(`glassbox dashboard: http://localhost:${info.port}/__glassbox/`);
});
