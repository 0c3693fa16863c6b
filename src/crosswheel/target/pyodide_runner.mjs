#!/usr/bin/env node
// crosswheel: run Python code inside the Pyodide runtime under node, python-CLI style.
// Host folders on $PYTHONPATH, the working folder, a script's folder and path
// arguments are mounted (NODEFS) at their own paths; $PYTHONPATH's go on sys.path.
//
// node pyodide_runner.mjs [options] (-c CODE | -m MODULE | SCRIPT) [ARGS...]
//   --runtime DIR      pyodide runtime dir (has pyodide.mjs, pyodide.asm.wasm,
//                      python_stdlib.zip, pyodide-lock.json); default $PYODIDE_RUNTIME
//   --wheel FILE       install wheel (unzipped into site-packages); repeatable
//   --mount HOST:GUEST mount a host dir into the Emscripten FS (NODEFS); repeatable
//   --mount-cwd        mount the host cwd at the same path and chdir into it
//   --cwd DIR          chdir (inside Emscripten FS) before running
//   --env K=V          environment variable for Python; repeatable
//   --no-check         skip the static unresolved-symbol check of installed .so files
//   --timeout SEC      kill after SEC seconds (exit 124); default 600, 0 = none
// Exit status: SystemExit code (None->0, int->int, other->print,1), uncaught
// exception -> traceback on stderr, 1; Pyodide fatal error (e.g. unresolved
// symbol at call time) -> 1; usage/internal/JS error -> 2; timeout -> 124.
//
// The script re-executes itself as a child node process so that the timeout
// works even while Python runs synchronous (event-loop blocking) code.
import { spawn } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SELF = fileURLToPath(import.meta.url);

function usage(msg) {
  if (msg) process.stderr.write(`run_in_pyodide: ${msg}\n`);
  process.stderr.write(
    "usage: run_in_pyodide.mjs [--runtime DIR] [--wheel W]... [--mount H:G]... " +
      "[--mount-cwd] [--cwd D] [--env K=V]... [--timeout S] (-c CODE | -m MOD | SCRIPT) [ARGS...]\n",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = { runtime: process.env.PYODIDE_RUNTIME, wheels: [], mounts: [], env: {},
              timeout: 600, mountCwd: false, cwd: null, mode: null, target: null, args: [] };
  let i = 0;
  const need = (k) => { if (i + 1 >= argv.length) usage(`${k} needs a value`); return argv[++i]; };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runtime") o.runtime = need(a);
    else if (a === "--wheel") o.wheels.push(need(a));
    else if (a === "--mount") o.mounts.push(need(a));
    else if (a === "--mount-cwd") o.mountCwd = true;
    else if (a === "--cwd") o.cwd = need(a);
    else if (a === "--env") { const kv = need(a); const j = kv.indexOf("="); o.env[kv.slice(0, j)] = kv.slice(j + 1); }
    else if (a === "--timeout") o.timeout = Number(need(a));
    else if (a === "--no-check") o.noCheck = true;
    else if (a === "--") { i++; break; }
    else break;
  }
  if (i >= argv.length) usage("nothing to run");
  const a = argv[i];
  if (a === "-c") { o.mode = "c"; o.target = argv[i + 1]; o.args = argv.slice(i + 2); }
  else if (a === "-m") { o.mode = "m"; o.target = argv[i + 1]; o.args = argv.slice(i + 2); }
  else if (a.startsWith("-")) usage(`unknown option ${a}`);
  else { o.mode = "s"; o.target = a; o.args = argv.slice(i + 1); }
  if (o.target === undefined) usage(`${a} needs an argument`);
  if (!o.runtime) usage("--runtime or $PYODIDE_RUNTIME required");
  return o;
}

// ---------------------------------------------------------------- parent
async function parent() {
  const o = parseArgs(process.argv.slice(2));
  const child = spawn(process.execPath, [SELF, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, RUN_IN_PYODIDE_CHILD: "1" },
  });
  let timedOut = false;
  let timer = null;
  if (o.timeout > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      process.stderr.write(`run_in_pyodide: timeout after ${o.timeout}s\n`);
      child.kill("SIGKILL");
    }, o.timeout * 1000);
  }
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill("SIGKILL"));
  child.on("exit", (code, signal) => {
    if (timer) clearTimeout(timer);
    if (timedOut) process.exit(124);
    if (signal) process.exit(128 + ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11, SIGABRT: 6 }[signal] ?? 1));
    process.exit(code ?? 2);
  });
}

// ---------------------------------------------------------------- child
const DRIVER = String.raw`
import sys, os, runpy, traceback
def __cw_run(mode, target, args, path):
    sys.path[0:0] = list(path)
    if mode == "c":
        sys.argv = ["-c", *args]
        sys.path.insert(0, "")
    elif mode == "m":
        sys.argv = [target, *args]
        sys.path.insert(0, os.getcwd())
    else:
        sys.argv = [target, *args]
        sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
    code = 0
    try:
        if mode == "c":
            import __main__
            exec(compile(target, "<string>", "exec"), __main__.__dict__)
        elif mode == "m":
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    except SystemExit as e:
        c = e.code
        if c is None:
            code = 0
        elif isinstance(c, int):
            code = c
        else:
            print(c, file=sys.stderr)
            code = 1
    except BaseException as e:
        tb = e.__traceback__
        tb = tb.tb_next if tb is not None else tb  # drop the driver frame
        traceback.print_exception(type(e), e, tb)
        code = 1
    finally:
        try:
            sys.stdout.flush(); sys.stderr.flush()
        except Exception:
            pass
    return code & 0xFF if code >= 0 else (256 + code) & 0xFF
`;

async function child() {
  const o = parseArgs(process.argv.slice(2));
  const rt = path.resolve(o.runtime);
  const mjs = path.join(rt, "pyodide.mjs");
  if (!existsSync(mjs)) { process.stderr.write(`run_in_pyodide: ${mjs} not found\n`); process.exit(2); }
  const { loadPyodide } = await import(pathToFileURL(mjs).href);
  const py = await loadPyodide({
    indexURL: rt + path.sep,
    env: { HOME: "/home/pyodide", ...o.env },
    // keep jsdelivr out of it: packages are only what we install ourselves
    packageCacheDir: path.join(rt, "packages-cache"),
  });
  const write = (fd) => (buf) => { writeSyncAll(fd, buf); return buf.length; };
  py.setStdout({ write: write(1), isatty: false });
  py.setStderr({ write: write(2), isatty: false });
  py.setStdin({ stdin: () => null, isatty: false }); // stdin = EOF

  const sitePackages = path.posix.normalize(py.runPython("import sysconfig; sysconfig.get_path('purelib')"));
  const before = new Set(listSo(py.FS, sitePackages));
  for (const w of o.wheels) {
    const b = readFileSync(w);
    const buf = new Uint8Array(b.buffer, b.byteOffset, b.byteLength); // node Buffer is rejected
    // format "wheel" = zip; extracts .dist-info too
    py.unpackArchive(buf, "wheel", { extractDir: sitePackages });
  }
  const sos = listSo(py.FS, sitePackages).filter((f) => !before.has(f));
  if (!o.noCheck) checkSymbols(py, sos);
  for (const m of o.mounts) {
    const j = m.lastIndexOf(":");
    const host = path.resolve(m.slice(0, j)), guest = m.slice(j + 1);
    py.mountNodeFS(guest, host);
  }
  const pythonpath = (process.env.PYTHONPATH || "").split(":").filter((p) => p && existsSync(p));
  const hostPaths = [process.cwd(), ...pythonpath.map((p) => path.resolve(p))];
  if (o.mode === "s") hostPaths.push(path.dirname(path.resolve(o.target)));
  for (const a of o.args) if (a.startsWith("/") && existsSync(a)) hostPaths.push(a);
  mountHost(py, hostPaths);
  py.FS.chdir(process.cwd());
  if (o.cwd) py.FS.chdir(o.cwd);
  py.runPython("import importlib; importlib.invalidate_caches()");
  py.runPython(DRIVER);
  const run = py.globals.get("__cw_run");
  const code = run(o.mode, o.target, py.toPy(o.args), py.toPy(pythonpath.map((p) => path.resolve(p))));
  run.destroy();
  process.exit(code);
}

// Pyodide's own folders stay; any other top-level host folder is mounted whole.
const OWN = new Set(["lib", "home", "dev", "proc", "usr", "bin", "sys"]);
function mountHost(py, paths) {
  const points = new Set();
  for (const p of paths) {
    const parts = p.split("/").filter(Boolean);
    if (!parts.length) continue;
    points.add(OWN.has(parts[0]) ? p : "/" + parts[0]);
  }
  const sorted = [...points].sort((a, b) => a.length - b.length);
  const done = [];
  for (const p of sorted) {
    if (done.some((d) => p === d || p.startsWith(d + "/"))) continue;
    if (!existsSync(p)) continue;
    py.FS.mkdirTree(p);
    py.mountNodeFS(p, p);
    done.push(p);
  }
}

function listSo(FS, dir) {
  const out = [];
  const walk = (d) => {
    for (const n of FS.readdir(d)) {
      if (n === "." || n === "..") continue;
      const p = d + "/" + n;
      const st = FS.stat(p);
      if (FS.isDir(st.mode)) walk(p);
      else if (/\.so(\.|$)/.test(n)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

// Static check: every function/GOT import of each new .so must be provided by the
// Pyodide main module (incl. its JS library) or by another installed .so.
// Pyodide itself only fails lazily, at the first *call*, with a fatal
// "Dynamic linking error: cannot resolve symbol X" that names neither library nor module.
function checkSymbols(py, sos) {
  const M = py._module;
  const mods = sos.map((p) => [p, new WebAssembly.Module(py.FS.readFile(p))]);
  const provided = new Set();
  for (const [, m] of mods) for (const e of WebAssembly.Module.exports(m)) provided.add(e.name);
  let bad = 0;
  for (const [p, m] of mods) {
    const missing = [];
    for (const i of WebAssembly.Module.imports(m)) {
      if (!["env", "GOT.func", "GOT.mem"].includes(i.module)) continue;
      if (i.module === "env" && i.kind !== "function") continue; // memory, table, __stack_pointer...
      const n = i.name;
      if (provided.has(n)) continue;
      let ok = false;
      try { ok = !!(M.resolveGlobalSymbol && M.resolveGlobalSymbol(n, true)?.sym); } catch (e) {}
      if (!ok) ok = typeof M["_" + n] !== "undefined";
      if (!ok) missing.push(`${i.module === "env" ? "" : i.module + ":"}${n}`);
    }
    if (missing.length) {
      bad++;
      process.stderr.write(`run_in_pyodide: warning: ${p} has unresolved symbol(s): ${missing.join(", ")}\n`);
    }
  }
  return bad;
}

function writeSyncAll(fd, buf) {
  // fs.writeSync may write partially on pipes
  let off = 0;
  while (off < buf.length) {
    try {
      off += __fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code === "EAGAIN") continue;
      if (e.code === "EPIPE") return;
      throw e;
    }
  }
}
import * as __fs from "node:fs";

const main = process.env.RUN_IN_PYODIDE_CHILD ? child : parent;
main().catch((e) => {
  if (e && e.pyodide_fatal_error) {
    // e.g. "Dynamic linking error: cannot resolve symbol foo" (Pyodide already printed a Python stack)
    process.stderr.write(`run_in_pyodide: Pyodide fatal error: ${e.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`run_in_pyodide: internal error: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
