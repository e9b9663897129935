// A small Fastify app with glassbox: a page with a form, a JSON route, an error route, some logging.
// Run: node --import tsx examples/fastify/app.ts   (PORT=4000 to change the port)
import Fastify from "fastify";
// In your own app: import { glassbox } from "glassbox/fastify";
import { glassbox } from "../../src/adapters/fastify.js";

interface Note {
  id: number;
  text: string;
}
const notes: Note[] = [{ id: 1, text: "Open the glassbox toolbar at the bottom right of this page." }];

const app = Fastify();
// First, before the routes: glassbox lists the routes registered after it and hooks every request.
await app.register(glassbox());

// Fastify parses JSON only; the form posts urlencoded text.
app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) =>
  done(null, Object.fromEntries(new URLSearchParams(String(body)))),
);

app.get("/", async (_request, reply) => {
  console.log(`rendering ${notes.length} notes`);
  const items = notes.map((n) => `<li>${escapeHtml(n.text)}</li>`).join("");
  return reply.type("text/html; charset=utf-8").send(`<!doctype html>
<html>
  <head><meta charset="utf-8"><title>glassbox + Fastify</title></head>
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

app.post("/notes", async (request, reply) => {
  const text = String((request.body as { text?: string } | undefined)?.text ?? "").trim();
  if (!text) {
    console.warn("ignoring an empty note");
    return reply.redirect("/", 303);
  }
  notes.push({ id: notes.length + 1, text });
  console.info(`added note ${notes.length}`);
  return reply.redirect("/", 303);
});

app.get("/api/notes", async () => notes);

app.get("/notes/:id", async (request, reply) => {
  const note = notes.find((n) => n.id === Number((request.params as { id: string }).id));
  return note ?? reply.code(404).send({ error: "no such note" });
});

app.get("/boom", async () => {
  console.error("about to fail on purpose");
  throw new Error("Something went wrong on purpose");
});

app.setErrorHandler((error, _request, reply) => {
  reply
    .code(500)
    .type("text/plain")
    .send(`Error: ${(error as Error).message}`);
});

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const port = Number(process.env.PORT ?? 3000);
await app.listen({ port, host: "127.0.0.1" });
console.log(`Fastify example:    http://localhost:${port}/`);
console.log(`glassbox dashboard: http://localhost:${port}/__glassbox/`);
