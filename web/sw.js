// TRM Playground's service worker: after the first visit the playground works offline.
//
// Registered by index.html as './sw.js', so its scope is the folder the page is served from (any
// sub-path works). On install it caches the page and every file the page and the worker loader
// name; the page then sends the files it fetched before this worker took over (the model, its
// card). Same-origin GETs of content-hashed files are answered from the cache first, all others from
// the network first (see HASHED).

const CACHE = 'trm-playground-v1';

// Relative URLs ('./…') named in a text: the page's links and scripts, the worker loader's files.
function named(text) {
  return [...text.matchAll(/["'](\.\/[^"'?#\s]+)["']/g)].map((m) => new URL(m[1], self.registration.scope).href);
}

async function precache() {
  const cache = await caches.open(CACHE);
  const scope = self.registration.scope;
  const urls = new Set([scope]);
  for (const start of [scope, new URL('./worker_loader.js', scope).href]) {
    const res = await fetch(start, { cache: 'no-cache' });
    if (!res.ok) continue;
    urls.add(start);
    for (const url of named(await res.text())) urls.add(url);
  }
  await cache.addAll([...urls]);
}

async function cacheAll(urls) {
  const cache = await caches.open(CACHE);
  for (const url of urls) {
    if (new URL(url).origin !== self.location.origin || (await cache.match(url))) continue;
    try {
      const res = await fetch(url);
      if (res.ok) await cache.put(url, res);
    } catch (e) {
      // Offline or gone: the next visit fetches it again.
    }
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const urls = Array.isArray(event.data?.cache) ? event.data.cache.filter((u) => typeof u === 'string') : [];
  event.waitUntil(cacheAll(urls).then(() => event.source?.postMessage({ cached: urls.length })));
});

// trunk's content-hashed names (`trm-web-<16 hex>.js`): such a file never changes, so the cache
// answers first. Everything else (the page, the worker's files, the models and their cards) keeps its
// name across versions, so the network answers first and the cache only when offline: a new
// deployment or a retrained model is picked up on the next online visit.
const HASHED = /-[0-9a-f]{16}(_bg)?\.[a-z0-9]+$/;

// The response goes to the page at once while its copy fills the cache: awaiting the cache first
// would hold the whole body back, and the page could not show a download's progress.
function keep(event, cache, request, res) {
  if (res.ok) event.waitUntil(cache.put(request, res.clone()).catch(() => {}));
  return res;
}

async function cacheFirst(event, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  return keep(event, cache, request, await fetch(request));
}

async function networkFirst(event, request) {
  const cache = await caches.open(CACHE);
  try {
    return keep(event, cache, request, await fetch(request));
  } catch (e) {
    // Offline: the cached copy; a page load with another query (a share link) gets the cached page.
    if (request.mode !== 'navigate') return (await cache.match(request)) ?? Response.error();
    return (await cache.match(request, { ignoreSearch: true })) ?? (await cache.match(self.registration.scope)) ?? Response.error();
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(HASHED.test(new URL(request.url).pathname) ? cacheFirst(event, request) : networkFirst(event, request));
});
