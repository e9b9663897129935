import { useEffect, useState } from "preact/hooks";

/**
 * Whether the OS asks for a dark scheme, following its changes. One media query per component
 * and one listener, whatever the number of renders.
 *
 * @example
 * const theme = useDarkScheme() ? "dark" : "light";
 */
export function useDarkScheme(): boolean {
  const [query] = useState(() =>
    typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : undefined,
  );
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const onChange = () => setDark(query.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, [query]);
  return dark;
}
