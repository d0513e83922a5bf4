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
