/** The dashboard's HTML shell; the UI itself is dashboard.js, built from src/ui. */
export function dashboardPage(prefix: string): string {
  const p = prefix.replace(/[&"<>]/g, "");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>glassbox</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${p}/dashboard.css">
</head>
<body>
<div id="glassbox-dashboard" data-prefix="${p}"><noscript>The glassbox dashboard needs JavaScript. The JSON API is at ${p}/api/requests.</noscript></div>
<script src="${p}/dashboard.js"></script>
</body>
</html>`;
}
