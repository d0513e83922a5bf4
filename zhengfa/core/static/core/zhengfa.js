// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  // No syntax past ES2017 in this file (no "?."): older phones' browsers refuse the whole file.
  const source = document.getElementById(button.dataset.copy);
  const text = source ? source.textContent.trim() : "";
  if (!navigator.clipboard) return;
  navigator.clipboard.writeText(text).then(() => {
    button.dataset.copied = "1";
    button.textContent = button.dataset.copiedLabel || button.textContent;
  });
});

// The follow-up link carries the code after "#", which never reaches the server; put it
// into the code field so that the person only has to press the button (also when the link
// is opened while on the query page already, which changes only the "#").
function fillCodeFromLink() {
  const field = document.querySelector("#query-form input[name=code]");
  const code = window.location.hash.slice(1);
  if (field && code) {
    field.value = decodeURIComponent(code);
    // Filled in: the code need not stay in the address bar or the browser's history.
    history.replaceState(null, "", window.location.pathname);
  }
}
document.addEventListener("DOMContentLoaded", fillCodeFromLink);
window.addEventListener("hashchange", fillCodeFromLink);

// A request made by htmx that fails (refused, not found, server or network trouble) says
// so where the person clicked, instead of nothing happening. The words come from the page.
function showRequestError(event) {
  const source = event.detail.elt;
  if (!source) return;
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  const words = document.body.dataset;
  let text = words.errorOther;
  if (status === 403) text = words.errorForbidden;
  else if (status === 404) text = words.errorNotFound;
  else if (status === 0) text = words.errorNetwork;
  const holder = source.closest("form, section, li, td, div") || source.parentElement;
  let box = holder.querySelector(":scope > .request-error");
  if (!box) {
    box = document.createElement("p");
    box.className = "request-error error-box";
    box.setAttribute("role", "alert");
    holder.appendChild(box);
  }
  box.textContent = text;
}
document.addEventListener("htmx:responseError", showRequestError);
document.addEventListener("htmx:sendError", showRequestError);

// The proof of work of a public form (core/challenge.py): find the number whose SHA-256,
// written after the puzzle's salt, is its challenge, put the answer in the hidden field, and
// let the form go. It starts when the page opens, so it is usually done before the person is.
function sha256Plain(text) {
  // For browsers without crypto.subtle (pages not served over HTTPS): the same hash in JS.
  const k = [];
  const h = [];
  const frac = (x) => ((x - Math.floor(x)) * 0x100000000) | 0;
  for (let n = 2, found = 0; found < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
    if (!prime) continue;
    if (found < 8) h[found] = frac(Math.sqrt(n));
    k[found++] = frac(Math.cbrt(n));
  }
  const bytes = [...new TextEncoder().encode(text)];
  const bits = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  for (let i = 7; i >= 0; i--) bytes.push(i > 3 ? 0 : (bits >>> (i * 8)) & 0xff);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let i = 0; i < bytes.length; i += 64) {
    const w = [];
    for (let t = 0; t < 64; t++) {
      if (t < 16) {
        const j = i + t * 4;
        w[t] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
      } else {
        const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t] + w[t]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) | 0, c, b, a, (t1 + t2) | 0];
    }
    [a, b, c, d, e, f, g, hh].forEach((v, j) => { h[j] = (h[j] + v) | 0; });
  }
  return h.map((v) => (v >>> 0).toString(16).padStart(8, "0")).join("");
}

async function sha256Hex(text) {
  if (window.crypto && window.crypto.subtle) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return sha256Plain(text);
}

function formToken(form) {
  // The form's own token (core/challenge.py), made here: the page is the same for everyone.
  const field = form.querySelector("input[data-token]");
  if (field && !field.value) {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    field.value = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  }
}

function solveProof(input) {
  if (!input._proof) {
    formToken(input.form);
    input._proof = (async () => {
      const answer = await fetch(input.dataset.proof, { credentials: "same-origin" });
      if (!answer.ok) return false;
      const puzzle = await answer.json();
      for (let n = 0; n <= puzzle.maxnumber; n++) {
        if ((await sha256Hex(puzzle.salt + n)) === puzzle.challenge) {
          const { algorithm, challenge, salt, signature } = puzzle;
          input.value = btoa(JSON.stringify({ algorithm, challenge, number: n, salt, signature }));
          return true;
        }
      }
      return false;
    })().catch(() => false);
  }
  return input._proof;
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-proof]").forEach(solveProof);
});
function sendAgain(form, submitter) {
  // The form again, now with its answer, as if the same button were pressed.
  if (form.requestSubmit) {
    form.requestSubmit(submitter);
    return;
  }
  // Older phones' browsers (iOS 15, Chrome before 76): submit() sends no event, so the
  // button's name and value go along in a hidden field, and a second tap is held back.
  if (submitter && submitter.name) {
    const carried = document.createElement("input");
    carried.type = "hidden";
    carried.name = submitter.name;
    carried.value = submitter.value;
    form.appendChild(carried);
  }
  form.dataset.sent = "1";
  form.submit();
}
document.addEventListener("submit", (event) => {
  const form = event.target;
  const input = form.querySelector("input[data-proof]");
  if (!input) return;
  if (form.dataset.sent) {
    event.preventDefault(); // a second tap: the first sending is on its way
    return;
  }
  if (input.value) {
    form.dataset.sent = "1";
    return;
  }
  event.preventDefault();
  const status = input.nextElementSibling;
  status.hidden = false;
  status.textContent = input.dataset.waiting;
  const submitter = event.submitter;
  solveProof(input).then((ok) => {
    if (ok) {
      status.hidden = true;
      sendAgain(form, submitter);
    } else {
      status.textContent = input.dataset.failed;
    }
  });
});

// A button that prints the page (a contact card): scripts run from this file only (CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
