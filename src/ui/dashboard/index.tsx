import { render } from "preact";
import { useEffect, useState } from "preact/hooks";

// Minimal dashboard: the newest requests as a table. Text only: Preact escapes everything.

interface Row {
  id: string;
  method?: string;
  path?: string;
  route?: string;
  status?: number;
  durationMs: number;
  startedAt: number;
}

const root = document.getElementById("glassbox-dashboard")!;
const prefix = root.dataset.prefix ?? "/__glassbox";

function App() {
  const [rows, setRows] = useState<Row[]>([]);
  const [total, setTotal] = useState(0);
  useEffect(() => {
    fetch(`${prefix}/api/requests?limit=100`)
      .then((r) => r.json() as Promise<{ requests: Row[]; total: number }>)
      .then((page) => {
        setRows(page.requests);
        setTotal(page.total);
      });
  }, []);
  return (
    <main>
      <h1>glassbox</h1>
      <p>{total} requests</p>
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Method</th>
            <th>Path</th>
            <th>Route</th>
            <th>Status</th>
            <th>ms</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{new Date(r.startedAt).toLocaleTimeString()}</td>
              <td>{r.method}</td>
              <td>{r.path}</td>
              <td>{r.route}</td>
              <td>{r.status}</td>
              <td>{r.durationMs.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

render(<App />, root);
