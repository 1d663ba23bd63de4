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
