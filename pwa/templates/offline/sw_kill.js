// Kill switch (BRIDGE_SW_KILL=1): this worker replaces any Bridge worker,
// deletes every cache, unregisters itself and reloads its pages, which then
// run without a worker. IndexedDB (the sealed outbox) is left alone.
self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) await caches.delete(name);
    await self.clients.claim();
    await self.registration.unregister();
    for (const client of await self.clients.matchAll({ type: "window" })) client.navigate(client.url);
  })());
});
