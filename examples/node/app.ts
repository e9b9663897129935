// A plain node:http app with glassbox: a page with a form, a JSON route, an error route, some logging.
// Run: node --import tsx examples/node/app.ts   (PORT=4000 to change the port)
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
// In your own app: import { glassbox } from "glassbox/node";
import { glassbox } from "../../src/adapters/node-http.js";

interface Note {
  id: number;
  text: string;
}
const notes: Note[] = [{ id: 1, text: "Open the glassbox toolbar at the bottom right of this page." }];

async function app(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/") return page(res);
  if (req.method === "POST" && url.pathname === "/notes") return addNote(req, res);
  if (req.method === "GET" && url.pathname === "/api/notes") return json(res, 200, notes);
  if (req.method === "GET" && url.pathname === "/boom") {
    console.error("about to fail on purpose");
    throw new Error("Something went wrong on purpose");
  }
  json(res, 404, { error: `no route ${req.method} ${url.pathname}` });
}

function page(res: ServerResponse): void {
  console.log(`rendering ${notes.length} notes`);
  const items = notes.map((n) => `<li>${escapeHtml(n.text)}</li>`).join("");
  const html = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>glassbox + node:http</title></head>
  <body>
    <h1>Notes</h1>
    <ul>${items}</ul>
    <form method="post" action="/notes">
      <input name="text" placeholder="A new note" required>
      <button>Add</button>
    </form>
    <p><a href="/api/notes">JSON</a> · <a href="/boom">an error</a> · <a href="/__glassbox/">dashboard</a></p>
  </body>
</html>`;
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}

async function addNote(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = "";
  for await (const chunk of req) body += chunk;
  const text = new URLSearchParams(body).get("text")?.trim();
  if (text) {
    notes.push({ id: notes.length + 1, text });
    console.info(`added note ${notes.length}`);
  } else {
    console.warn("ignoring an empty note");
  }
  res.writeHead(303, { location: "/" }).end();
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const withGlassbox = glassbox();
const handler = withGlassbox(app);
const server = createServer((req, res) => {
  // glassbox records the error and hands it back unchanged: answering it stays the app's job.
  handler(req, res).catch((error: Error) => {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end(`Error: ${error.message}`);
  });
});

const port = Number(process.env.PORT ?? 3000);
server.listen(port, () => {
  console.log(`node:http example:  http://localhost:${port}/`);
  console.log(`glassbox dashboard: http://localhost:${port}/__glassbox/`);
});
