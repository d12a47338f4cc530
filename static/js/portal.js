// Move keyboard and screen-reader focus to the error summary when a form comes back with errors.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});

// A sideways-scrolling box (a wide table or chart) is a tab stop only while it actually
// scrolls: keyboard users need to focus it to scroll it, and nobody needs an extra tab stop
// that does nothing. Checked again whenever the window changes size (zoom included).
(function () {
  function scrollBoxesUpdate() {
    var boxes = document.querySelectorAll(".pt-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
      } else if (document.activeElement !== box) {
        box.removeAttribute("tabindex");
      }
    }
  }
  document.addEventListener("DOMContentLoaded", scrollBoxesUpdate);
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) {
      window.cancelAnimationFrame(pending);
    }
    pending = window.requestAnimationFrame(scrollBoxesUpdate);
  });
})();
