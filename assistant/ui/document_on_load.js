// Body of the document view's js_on_load: scroll to the highlighted quote after each render.
watch("value", () => {
  setTimeout(() => { if (window.saFocusMark) window.saFocusMark(); }, 60);
});
