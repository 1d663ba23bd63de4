// Small behaviours declared in the templates with data attributes, so that no page needs an inline event handler
// (the Content-Security-Policy allows no inline script without the request's nonce).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-navigate-on-change]") && el.value) window.location.href = el.value;
  if (el.matches("[data-submit-on-change]") && el.form) el.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// A container with data-warn-unsaved="message" asks before the page is left while a field in it was typed in and
// not saved. A row saved by HTMX is replaced (its fields with it); a form marked data-clears-unsaved (the sheet's
// "submit all") carries the typed values, so submitting it leaves without asking.
document.addEventListener("input", (event) => {
  if (event.target.closest("[data-warn-unsaved]")) event.target.dataset.unsaved = "1";
});
let leavingBySubmit = false;
document.addEventListener("submit", (event) => {
  if (event.target.matches("[data-clears-unsaved]")) leavingBySubmit = true;
});
window.addEventListener("beforeunload", (event) => {
  const box = document.querySelector("[data-warn-unsaved]");
  if (leavingBySubmit || !box || !box.querySelector("[data-unsaved]")) return;
  event.preventDefault();
  event.returnValue = box.dataset.warnUnsaved;
});
