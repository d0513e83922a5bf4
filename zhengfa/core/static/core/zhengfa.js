// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy)?.textContent?.trim() || "";
  navigator.clipboard?.writeText(text).then(() => {
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
