// Talking to the services: the token goes in the Authorization header, never in a URL.
const TOKEN_KEY = "tracker.token";

export function takeToken() {
  // a link may hand the token in the fragment (#token=...): keep it in this tab, drop it from the bar
  const params = new URLSearchParams(location.hash.slice(1));
  const handed = params.get("token");
  if (handed) {
    sessionStorage.setItem(TOKEN_KEY, handed);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export const saveToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);
export const dropToken = () => sessionStorage.removeItem(TOKEN_KEY);
const auth = () => ({ Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` });

export class HttpError extends Error {
  constructor(status, body) { super(`HTTP ${status}`); this.status = status; this.body = body; }
}

export async function getJson(url, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== ""));
  const response = await fetch(query.size ? `${url}?${query}` : url, { headers: auth() });
  if (!response.ok) throw new HttpError(response.status, await response.text());
  return response.json();
}

export async function download(url, params, fallbackName = "export") {
  // fetched with the header, then saved from a blob: the token never rides in a link
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== ""));
  const response = await fetch(`${url}?${query}`, { headers: auth() });
  if (!response.ok) throw new HttpError(response.status, await response.text());
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "")?.[1];
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name || fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return link.download;
}

// Server-sent events over fetch (EventSource cannot send a header). Resumes with
// Last-Event-ID after a drop or an `overflow`, so no event is lost or shown twice.
export function follow(url, { onEvent, onState }) {
  let lastId = null;
  let stopped = false;
  let delay = 1000;
  const controller = { stop() { stopped = true; this.abort?.(); } };

  async function connect() {
    while (!stopped) {
      const abort = new AbortController();
      controller.abort = () => abort.abort();
      try {
        const headers = { ...auth(), Accept: "text/event-stream" };
        if (lastId) headers["Last-Event-ID"] = lastId;
        const response = await fetch(url, { headers, signal: abort.signal });
        if (!response.ok) throw new HttpError(response.status, "");
        onState("on");
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const message = { id: null, event: "message", data: "" };
            for (const line of block.split("\n")) {
              if (line.startsWith("id: ")) message.id = line.slice(4);
              else if (line.startsWith("event: ")) message.event = line.slice(7);
              else if (line.startsWith("data: ")) message.data += line.slice(6);
            }
            if (message.id) lastId = message.id;
            if (message.data && message.event !== "overflow") onEvent(message.event, JSON.parse(message.data));
          }
        }
      } catch (error) {
        if (stopped) return;
      }
      onState("retry");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  }
  connect();
  return controller;
}
