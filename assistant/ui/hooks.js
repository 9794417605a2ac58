() => {
  // Page-wide hooks: [n] in the answer selects its card; side-list links scroll to a passage.
  if (window.__saHooks) return;
  window.__saHooks = true;

  const selectCard = (turn, n) => {
    const card = document.getElementById(`sa-card-${turn}-${n}`);
    if (!card) return;
    const folded = card.closest("details");
    if (folded && !folded.open) folded.open = true;
    document.querySelectorAll(".sa-card.sa-selected").forEach((c) => c.classList.remove("sa-selected"));
    card.classList.add("sa-selected");
    card.scrollIntoView({ behavior: "smooth", block: "nearest" });
    card.focus({ preventScroll: true });
  };

  // Scroll only the panel that holds `el`, so the page (tabs, header) stays where it is.
  const scrollerOf = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowY) && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  };
  const reveal = (el) => {
    const box = scrollerOf(el);
    if (!box) {
      el.scrollIntoView({ block: "center" });
      return;
    }
    const offset = el.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop += offset - box.clientHeight / 3;
  };

  const focusMark = (id) => {
    const root = document.getElementById("sa-document");
    if (!root) return;
    const mark = id ? document.getElementById(id) : root.querySelector("mark.sa-hl-primary[id]");
    if (!mark) return;
    if (id) {
      root.querySelectorAll(".sa-hl-primary").forEach((m) => m.classList.remove("sa-hl-primary"));
      root.querySelectorAll(`mark[data-anchor="${CSS.escape(id)}"]`).forEach((m) => m.classList.add("sa-hl-primary"));
    }
    reveal(mark);
    mark.focus({ preventScroll: true });
  };
  window.saFocusMark = focusMark;

  document.addEventListener(
    "click",
    (event) => {
      const target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      const cite = target.closest('a[href^="#cite-"]');
      if (cite) {
        event.preventDefault();
        event.stopPropagation();
        const m = cite.getAttribute("href").match(/^#cite-(\d+)-(\d+)$/);
        if (m) selectCard(m[1], m[2]);
        return;
      }
      const jump = target.closest("[data-scroll-to]");
      if (jump) {
        event.preventDefault();
        event.stopPropagation();
        const id = jump.getAttribute("data-scroll-to");
        const el = document.getElementById(id);
        if (el && el.tagName === "MARK") {
          focusMark(id);
        } else if (el) {
          reveal(el);
        }
      }
    },
    true,
  );
}
