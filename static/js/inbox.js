// Keyboard triage of the review inbox. Each key presses a real link, button or form of the page,
// so everything here also works by mouse and without JavaScript:
//   j / k next / previous item, a approve, e edit, r reject, t take over, s snooze,
//   x select for a bulk action, ? show the keys, Esc leave a text field.
(() => {
  if (!document.getElementById("inbox")) return;

  const detail = () => document.getElementById("item-detail");
  const rows = () => Array.from(document.querySelectorAll("#inbox-rows > li.inbox-row"));
  const openRows = () => rows().filter((row) => !row.classList.contains("is-done"));
  const currentId = () => (detail() && detail().dataset.itemId) || "";
  // An action or a move is on its way (htmx marks the element that sent it): keys wait until it lands.
  const busy = () =>
    Boolean(document.querySelector("#item-detail .htmx-request, #inbox-list .htmx-request:not(#inbox-poll)"));
  // Content that was just swapped in gets its htmx behaviour when it settles; a key pressed before
  // that must not fall back to a full-page submit, so process it now (htmx skips what it has done).
  const ready = (element) => {
    if (window.htmx && element) window.htmx.process(element);
    return element;
  };

  function markCurrent() {
    const id = currentId();
    for (const row of rows()) {
      const isCurrent = row.dataset.itemId === id;
      row.classList.toggle("is-current", isCurrent);
      const link = row.querySelector("a.row-link");
      if (!link) continue;
      if (isCurrent) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }

  function currentRow() {
    return rows().find((row) => row.dataset.itemId === currentId());
  }

  function move(step) {
    const candidates = openRows();
    if (!candidates.length) return;
    const index = candidates.findIndex((row) => row.dataset.itemId === currentId());
    const next = index === -1 ? candidates[0] : candidates[Math.min(candidates.length - 1, Math.max(0, index + step))];
    if (next.dataset.itemId === currentId()) return;
    next.scrollIntoView({ block: "nearest" });
    ready(next).querySelector("a.row-link").click();
  }

  function press(key) {
    const root = ready(detail());
    const control = root && root.querySelector(`[data-key="${key}"]`);
    if (!control) return false;
    if (control.tagName === "FORM") {
      control.requestSubmit();
    } else if (control.tagName === "DETAILS") {
      control.open = true;
      const field = control.querySelector("select, textarea, input:not([type=hidden])");
      if (field) field.focus();
    } else {
      control.click();
    }
    return true;
  }

  function toggleSelected() {
    const box = currentRow() && currentRow().querySelector("input.row-select");
    if (box) box.checked = !box.checked;
  }

  function toggleHelp() {
    const help = document.getElementById("keys-help");
    if (!help) return;
    help.open = !help.open;
    if (help.open) help.querySelector("summary").focus();
  }

  const KEYS = {
    j: () => move(1),
    k: () => move(-1),
    a: () => press("a"),
    e: () => press("e"),
    r: () => press("r"),
    t: () => press("t"),
    s: () => press("s"),
    x: toggleSelected,
    "?": toggleHelp,
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") target.blur();
      return;
    }
    const action = KEYS[event.key];
    if (!action) return;
    event.preventDefault();
    if (event.key !== "?" && busy()) return;
    action();
  });

  // After a decision the next item may come from a later page: its row, sent out of band, has no place
  // in the list yet, so it joins the end of the list (j, k and the current row keep working).
  document.body.addEventListener("htmx:oobErrorNoTarget", (event) => {
    const row = event.detail.content;
    const list = document.getElementById("inbox-rows");
    if (!list || !(row instanceof Element) || !row.id.startsWith("row-")) return;
    list.insertBefore(row, list.querySelector(":scope > li.empty-row"));
    ready(row);
  });

  document.body.addEventListener("htmx:afterSwap", markCurrent);
  document.body.addEventListener("htmx:afterSettle", () => {
    markCurrent();
    const field = detail() && detail().querySelector("[data-autofocus]");
    if (field) field.focus();
  });

  markCurrent();
  const field = detail() && detail().querySelector("[data-autofocus]");
  if (field) field.focus();
})();
