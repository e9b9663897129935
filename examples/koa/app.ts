// A small Koa app with glassbox: a page with a form, a JSON route, an error route, some logging.
// Run: node --import tsx examples/koa/app.ts   (PORT=4000 to change the port)
import { bodyParser } from "@koa/bodyparser";
import Router from "@koa/router";
import Koa from "koa";
// In your own app: import { glassbox } from "glassbox/koa";
import { glassbox } from "../../src/adapters/koa.js";

interface Note {
  id: number;
  text: string;
}
const notes: Note[] = [{ id: 1, text: "Open the glassbox toolbar at the bottom right of this page." }];

const app = new Koa();
// First, so glassbox sees every request and every error.
app.use(glassbox());

// The app's own error handling, after glassbox: glassbox still records the error.
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    ctx.status = (error as { status?: number }).status ?? 500;
    ctx.type = "text/plain";
    ctx.body = `Error: ${(error as Error).message}`;
  }
});
app.use(bodyParser());

const router = new Router();

router.get("/", (ctx) => {
  console.log(`rendering ${notes.length} notes`);
  const items = notes.map((n) => `<li>${escapeHtml(n.text)}</li>`).join("");
  ctx.type = "html";
  ctx.body = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>glassbox + Koa</title></head>
  <body>
    <h1>Notes</h1>
    <ul>${items}</ul>
    <form method="post" action="/notes">
      <input name="text" placeholder="A new note" required>
      <button>Add</button>
    </form>
    <p><a href="/api/notes">JSON</a> · <a href="/notes/1">one note</a> · <a href="/boom">an error</a> · <a href="/__glassbox/">dashboard</a></p>
  </body>
</html>`;
});

router.post("/notes", (ctx) => {
  const text = String((ctx.request.body as { text?: string } | undefined)?.text ?? "").trim();
  ctx.status = 303;
  ctx.redirect("/");
  if (!text) {
    console.warn("ignoring an empty note");
    return;
  }
  notes.push({ id: notes.length + 1, text });
  console.info(`added note ${notes.length}`);
});

router.get("/api/notes", (ctx) => {
  ctx.body = notes;
});

router.get("/notes/:id", (ctx) => {
  const note = notes.find((n) => n.id === Number(ctx.params.id));
  if (!note) ctx.throw(404, "no such note");
  ctx.body = note;
});

router.get("/boom", () => {
  console.error("about to fail on purpose");
  throw new Error("Something went wrong on purpose");
});

app.use(router.routes());
app.use(router.allowedMethods());

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => {
  console.log(`Koa example:        http://localhost:${port}/`);
  console.log(`glassbox dashboard: http://localhost:${port}/__glassbox/`);
});
