'use strict';
// The jsii kernel (lib/program.js, beside this file's folder) run in the process jsii's Python runtime starts.
//
// jsii's own entry (bin/jsii-runtime.js) starts the kernel as a second Node process and relays every message
// between its stdin/stdout and the kernel's API channel, fd 3: each call crosses two pipes and two event loops.
// Here the kernel's reads and writes on fd 3 go to this process's stdin and stdout instead, and what the kernel
// prints reaches jsii as the relay would send it (JSON lines on stderr). genai_gitops/jsii_node.py installs this
// only for the jsii release it was checked against, and only when that kernel talks on fd 3.
const fs = require('fs');
const path = require('path');
const { Writable } = require('stream');

const API = 3;
// a file the kernel opens must never get number 3, which every read and write below treats as the channel
try {
  fs.fstatSync(API);
} catch (error) {
  if (fs.openSync('/dev/null', 'r') !== API) throw new Error('jsii_direct: could not reserve fd 3');
}

const readSync = fs.readSync;
const writeSync = fs.writeSync;

function relayed(kind, bytes) {
  writeSync.call(fs, 2, JSON.stringify({ [kind]: Buffer.from(bytes).toString('base64') }) + '\n');
}

function slice(buffer, offset, length) {
  if (typeof buffer === 'string') return Buffer.from(buffer);
  const start = typeof offset === 'number' ? offset : 0;
  return buffer.subarray(start, typeof length === 'number' ? start + length : undefined);
}

fs.readSync = function (fd, ...rest) {
  return readSync.call(this, fd === API ? 0 : fd, ...rest);
};
fs.writeSync = function (fd, buffer, ...rest) {
  if (fd === API) return writeSync.call(this, 1, buffer, ...rest);
  if (fd === 2) {
    const bytes = slice(buffer, rest[0], rest[1]);
    relayed('stderr', bytes);
    return bytes.length;
  }
  return writeSync.call(this, fd, buffer, ...rest);
};

// process.stdout is the API channel now: what the kernel's code prints (console.log and friends) travels as
// the relay sends it
function stream(kind, fd) {
  const relay = new Writable({
    write(chunk, encoding, callback) {
      relayed(kind, chunk);
      callback();
    },
  });
  relay.fd = fd;
  relay.isTTY = false;
  return relay;
}
const stdout = stream('stdout', 1);
const stderr = stream('stderr', 2);
Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get: () => stdout });
Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get: () => stderr });
globalThis.console = new console.Console({ stdout, stderr });

// The kernel's computeSerializationType formats its assertion message (util.inspect of the type reference)
// before it asserts, for every value it (de)serialises, and its cache misses on the fresh `{type: any}`
// reference each map entry and array item gets: 13% of the kernel's CPU in a render, for a message shown
// only when the assertion fails. util.inspect of plain data (objects of strings and booleans, as type
// references are) depends only on that data, so its text is remembered by the data's JSON; any other value,
// or any call with options, is inspected as before.
const util = require('util');
const inspect = util.inspect;
const remembered = new Map();
const REMEMBERED_MAX = 1024;

function plainData(value, depth) {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  if (depth > 4 || value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) {
    return false;
  }
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  const names = Object.getOwnPropertyNames(value);
  if (names.length > 8) return false;
  for (const name of names) {
    const described = Object.getOwnPropertyDescriptor(value, name);
    if (!described.enumerable || !('value' in described) || !plainData(described.value, depth + 1)) return false;
  }
  return true;
}

function rememberingInspect(value, ...rest) {
  if (rest.length > 0 || !plainData(value, 0) || typeof value !== 'object') return inspect.call(this, value, ...rest);
  const key = JSON.stringify(value);
  let text = remembered.get(key);
  if (text === undefined) {
    text = inspect.call(this, value);
    if (remembered.size < REMEMBERED_MAX) remembered.set(key, text);
  }
  return text;
}
// util.inspect.custom, defaultOptions (a getter and setter), colors and styles stay where callers look for them
Object.defineProperties(rememberingInspect, Object.getOwnPropertyDescriptors(inspect));
util.inspect = rememberingInspect;

require(path.join(__dirname, '..', 'lib', 'program.js'));
