// The concern page keeps itself up to date: it asks the server where the concern and
// its additions stand (email being sent -> accepted -> acknowledged) and swaps in the
// server's own wording. Without JavaScript the page is the same, as of its load.
const section = document.querySelector("[data-status]");
const FIRST = 3000;
const LONGEST = 60000;
let wait = FIRST;

async function refresh() {
  const response = await fetch(section.dataset.status, {
    headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
  });
  if ([401, 403, 404].includes(response.status)) return true; // signed out or gone: stop asking
  if (!response.ok) throw new Error(`status ${response.status}`);
  const doc = await response.json();
  for (const item of doc.items) {
    const box = document.querySelector(`[data-item="${item.id}"]`);
    if (box && box.innerHTML.trim() !== item.html.trim()) box.innerHTML = item.html;
  }
  return doc.final;
}

async function tick() {
  if (!document.hidden) {
    try {
      if (await refresh()) return;
      wait = Math.min(wait * 1.5, LONGEST);
    } catch {
      wait = Math.min(wait * 2, LONGEST);
    }
  }
  setTimeout(tick, wait);
}

if (section) setTimeout(tick, wait);
document.addEventListener("visibilitychange", () => { wait = FIRST; });
