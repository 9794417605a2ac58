// Body of the document view's js_on_load: scroll to the highlighted quote after each render,
// and, for a PDF, scroll the page images to the quote's box.
watch("value", () => {
  setTimeout(() => {
    if (window.saFocusMark) window.saFocusMark();
    const box = element.querySelector(".sa-pdf-hl.sa-pdf-primary") || element.querySelector(".sa-pdf-hl");
    const pages = element.querySelector(".sa-pdf-pages");
    if (box && pages) {
      const offset = box.getBoundingClientRect().top - pages.getBoundingClientRect().top;
      pages.scrollTop += offset - pages.clientHeight / 3;
    }
  }, 60);
});
