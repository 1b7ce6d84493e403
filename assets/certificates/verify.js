// Exosome Reality Check: check a certificate code in the browser, with nothing sent anywhere.
// The same checks as `exocourse verify` (course/instructor/certificates/): the code's check
// characters, its Ed25519 signature against the embedded public keys, the signed revocation
// list, and the course it names. Ed25519 is the browser's own (WebCrypto) where it has it,
// otherwise the bundled TweetNaCl (public domain, audited), so the page also works in older
// browsers and when opened from a plain http:// address, where WebCrypto is unavailable.
"use strict";
(function () {
  const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const PREFIX = "ERC";
  const LINE = 20;
  const CERT_CONTEXT = new TextEncoder().encode("exocourse certificate v1\u0000");
  const LIST_CONTEXT = new TextEncoder().encode("exocourse revocations v1\u0000");
  const L = (1n << 252n) + 27742317777372353535851937790883648493n; // the Ed25519 group order
  const DATA = JSON.parse(document.getElementById("exocourse-data").textContent);
  const params = new URLSearchParams(location.search);
  const forceFallback = params.get("engine") === "tweetnacl";
  let engineUsed = "";

  class Problem extends Error {}

  function gf32(a, b) {
    let p = 0;
    while (b) {
      if (b & 1) p ^= a;
      b >>= 1;
      a <<= 1;
      if (a & 32) a ^= 0b100101;
    }
    return p;
  }

  function checkCharacter(symbols, line) {
    let total = (line + 1) & 31, weight = 1;
    for (const c of symbols) {
      total ^= gf32(weight, ALPHABET.indexOf(c));
      weight = gf32(weight, 2);
    }
    return ALPHABET[total];
  }

  function checkedLines(text) {
    const parts = text.split("#");
    let compact = parts[parts.length - 1].replace(/[\s\-_.]/g, "").toUpperCase();
    if (!compact.startsWith(PREFIX))
      throw new Problem("This is not a certificate code of this course: codes start with ERC- and look like ERC-XXXXX-XXXXX-XXXXX-XXXXX-C, over several lines.");
    const body = compact.slice(PREFIX.length).replace(/O/g, "0").replace(/[IL]/g, "1");
    if (!body) throw new Problem("There is nothing after ERC-: copy the whole code, every line of it.");
    const wrong = [...new Set([...body].filter((c) => !ALPHABET.includes(c)))];
    if (wrong.length)
      throw new Problem(`The code contains ${wrong.map((c) => `"${c}"`).join(", ")}, which no certificate code has (codes use digits and the letters A to Z except I, L, O and U).`);
    const lines = [];
    for (let start = 0, n = 0; start < body.length; start += LINE + 1, n++) {
      const chunk = body.slice(start, start + LINE + 1);
      if (chunk.length < 2 || checkCharacter(chunk.slice(0, -1), n) !== chunk.slice(-1))
        throw new Problem(`Line ${n + 1} of the code has been mistyped or altered (its last character does not match the rest): check each character of that line against the certificate, and that no character was left out or added before it.`);
      lines.push(chunk.slice(0, -1));
    }
    return lines;
  }

  function fromSymbols(symbols) {
    const length = Math.floor((symbols.length * 5) / 8);
    if (Math.ceil((length * 8) / 5) !== symbols.length)
      throw new Problem("The code has too few or too many characters: a character was probably left out or added.");
    let number = 0n;
    for (const c of symbols) number = (number << 5n) | BigInt(ALPHABET.indexOf(c));
    const padding = BigInt(symbols.length * 5 - length * 8);
    if (number & ((1n << padding) - 1n)) throw new Problem("The last line of the code has been altered or mistyped.");
    number >>= padding;
    const bytes = new Uint8Array(length);
    for (let i = length - 1; i >= 0; i--) { bytes[i] = Number(number & 255n); number >>= 8n; }
    return bytes;
  }

  function toSymbols(bytes) {
    const bits = bytes.length * 8, count = Math.ceil(bits / 5);
    let number = 0n;
    for (const b of bytes) number = (number << 8n) | BigInt(b);
    number <<= BigInt(count * 5 - bits);
    let out = "";
    for (let i = count - 1; i >= 0; i--) out += ALPHABET[Number((number >> BigInt(5 * i)) & 31n)];
    return out;
  }

  const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  const unb64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4)), (c) => c.charCodeAt(0));
  const concat = (a, b) => { const out = new Uint8Array(a.length + b.length); out.set(a); out.set(b, a.length); return out; };

  async function sha512(bytes) {
    if (!forceFallback && window.crypto && crypto.subtle) return new Uint8Array(await crypto.subtle.digest("SHA-512", bytes));
    return window.nacl.hash(bytes);
  }

  function canonicalS(signature) {
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]);
    return s < L; // as RFC 8032 and the course's Python verifier require
  }

  async function ed25519Verify(rawKey, signature, message) {
    if (signature.length !== 64 || !canonicalS(signature)) return false;
    if (!forceFallback && window.crypto && crypto.subtle) {
      try {
        const key = await crypto.subtle.importKey("raw", rawKey, { name: "Ed25519" }, false, ["verify"]);
        const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
        engineUsed = "your browser's built-in Ed25519 (WebCrypto)";
        return ok;
      } catch (error) {
        if (!(error && (error.name === "NotSupportedError" || error.name === "TypeError"))) throw error;
      }
    }
    engineUsed = "the TweetNaCl library bundled in this page";
    return window.nacl.sign.detached.verify(message, signature, rawKey);
  }

  function reader(bytes) {
    let at = 0;
    const take = (n) => {
      if (at + n > bytes.length) throw new Problem("The code is signed but cannot be read (it ends too early).");
      const chunk = bytes.slice(at, at + n); at += n; return chunk;
    };
    const number = (n) => take(n).reduce((value, b) => value * 256 + b, 0);
    const text = () => new TextDecoder("utf-8", { fatal: true }).decode(take(number(1)));
    return { take, number, text, done: () => at === bytes.length };
  }

  const tenths = (value) => `${Math.floor(value / 10)}.${value % 10}`;

  function parsePayload(payload) {
    const r = reader(payload);
    if (r.number(1) !== 1) throw new Problem("This certificate format is not known to this page.");
    const keyId = hex(r.take(4)), serial = hex(r.take(3));
    const days = r.number(2);
    const issued = new Date(Date.UTC(2000, 0, 1) + days * 86400000).toISOString().slice(0, 10);
    const version = r.text(), digest = hex(r.take(8));
    const quarterHours = r.number(1), overall = r.number(2);
    const modules = [];
    for (let n = r.number(1); n > 0; n--) modules.push({ module: r.text(), percent: tenths(r.number(2)) });
    const name = r.text(), registration = r.text();
    if (!r.done()) throw new Problem("The code is signed but has extra bytes at the end.");
    return { keyId, serial, issued, version, digest, hours: String(quarterHours / 4), score: tenths(overall), modules, name, registration };
  }

  let listCache = null;
  async function revocations() {
    if (listCache) return listCache;
    const outer = JSON.parse(DATA.revocations);
    const signer = DATA.keys.find((k) => k.id === outer.signedBy);
    const ok = signer && (await ed25519Verify(unb64(signer.raw), unb64(outer.signature), concat(LIST_CONTEXT, new TextEncoder().encode(outer.list))));
    if (!ok) throw new Problem("The revocation list in this page is damaged. Get a fresh copy of verify.html from the course's provider.");
    const list = JSON.parse(outer.list);
    if (list.keys.some((k) => k.id === outer.signedBy)) throw new Problem("The revocation list in this page is signed with a withdrawn key.");
    listCache = list;
    return list;
  }

  async function achievements() {
    const found = {};
    for (const text of DATA.achievements) found[hex((await sha512(new TextEncoder().encode(text))).slice(0, 8))] = JSON.parse(text);
    return found;
  }

  async function verify(text) {
    const data = fromSymbols(checkedLines(text).join(""));
    if (data.length <= 1 + 4 + 64) throw new Problem("The code is too short to be a certificate code: copy the whole code, every line of it.");
    const payload = data.slice(0, -64), signature = data.slice(-64);
    if (payload[0] !== 1) throw new Problem("This certificate format is not known to this page (or the code has been altered).");
    const keyId = hex(payload.slice(1, 5));
    const key = DATA.keys.find((k) => k.id === keyId);
    if (!key) return { ok: false, message: `It was signed with a key (id ${keyId}) that is not among this course's public keys: it was not issued by this course, or it has been altered.` };
    if (!(await ed25519Verify(unb64(key.raw), signature, concat(CERT_CONTEXT, payload))))
      return { ok: false, message: "Its signature does not match its contents: the code has been altered, or it was not issued by this course. Treat the certificate as not genuine." };
    const c = parsePayload(payload);
    const idSymbols = toSymbols((await sha512(payload)).slice(0, 7)).slice(0, 10);
    c.id = `${idSymbols.slice(0, 5)}-${idSymbols.slice(5)}`;
    c.achievement = (await achievements())[c.digest] || null;
    const list = await revocations();
    const withdrawn = list.keys.find((k) => k.id === c.keyId);
    if (withdrawn) return { ok: false, certificate: c, message: `NOT VALID: it was signed with the key ${c.keyId}, which the course withdrew on ${withdrawn.withdrawn} (${withdrawn.reason}). Ask the course's provider for the certificate issued again with its current key.` };
    const revoked = list.certificates.find((r) => r.id === c.id);
    if (revoked) return { ok: false, certificate: c, message: `REVOKED: certificate ${c.id} was ${revoked.superseded ? "replaced by a corrected certificate" : "revoked"} on ${revoked.revoked}. Reason: ${revoked.reason}` };
    return { ok: true, certificate: c, listUpdated: list.updated.slice(0, 10) };
  }

  function row(list, label, value) {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label; dd.textContent = value;
    list.append(dt, dd);
  }

  function show(result) {
    const box = document.getElementById("result");
    box.replaceChildren();
    box.className = result.ok ? "result genuine" : "result not-genuine";
    const heading = document.createElement("h2");
    heading.textContent = result.ok ? "✔ Genuine certificate" : "✘ Not verified";
    box.append(heading);
    if (!result.ok) {
      const p = document.createElement("p");
      p.id = "reason";
      p.textContent = result.message;
      box.append(p);
    }
    const c = result.certificate;
    if (c && result.ok) {
      const a = c.achievement;
      const details = document.createElement("dl");
      details.id = "details";
      row(details, "Learner", c.name);
      if (c.registration) row(details, "Registration number", c.registration);
      row(details, "Course", a ? `${a.title} (version ${c.version})` : `version ${c.version}`);
      for (const m of c.modules) {
        const title = a ? (a.modules.find((x) => x[0] === m.module) || [, ""])[1] : "";
        row(details, `Module ${m.module}`, `${title ? title + " " : ""}(${m.percent} %)`);
      }
      row(details, "Overall score", `${c.score} %`);
      row(details, "CPD time", `${c.hours} hours${a ? ` (${a.cpdType})` : ""}`);
      row(details, "Date issued", c.issued);
      if (a) row(details, "Provider", a.provider);
      row(details, "Certificate number", c.id);
      row(details, "Not revoked", `checked against the revocation list of ${result.listUpdated}`);
      box.append(details);
      const note = document.createElement("p");
      note.className = "small";
      note.textContent = "Compare these details with the certificate you were shown: a genuine code belongs to exactly these details.";
      box.append(note);
    }
    const how = document.createElement("p");
    how.className = "small";
    how.id = "engine";
    how.textContent = engineUsed ? `Checked on this device with ${engineUsed}. Nothing was sent anywhere.` : "Nothing was sent anywhere.";
    box.append(how);
    box.focus();
  }

  async function check() {
    const text = document.getElementById("code").value;
    try {
      show(await verify(text));
    } catch (error) {
      show({ ok: false, message: error instanceof Problem ? error.message : `The code could not be checked (${error}).` });
    }
  }

  document.getElementById("check").addEventListener("click", check);
  document.getElementById("code").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) check();
  });
  if (location.hash.length > 1) {
    document.getElementById("code").value = decodeURIComponent(location.hash.slice(1));
    check();
  }
  document.body.dataset.ready = "yes";
})();
