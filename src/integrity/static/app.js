// Integrity's only script of its own: long work (a trail PDF, an Excel file, an import) says it is
// working instead of leaving a page that looks frozen. Without it every link and form still works.
(function () {
  "use strict";

  function fileName(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) { return decodeURIComponent(star[1]); }
    var plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function busy(element, text) {
    element.setAttribute("aria-busy", "true");
    element.dataset.label = element.textContent;
    if (text) { element.textContent = text; }
  }

  function done(element) {
    element.removeAttribute("aria-busy");
    if (element.dataset.label) { element.textContent = element.dataset.label; }
  }

  // A download link: fetched here, so the button can show the wait and the error, then saved.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-busy]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) { return; }
    event.preventDefault();
    busy(link, link.dataset.busy);
    fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (problem) {
          throw new Error(problem.detail || response.statusText);
        });
      }
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var save = document.createElement("a");
        save.href = url;
        save.download = fileName(response, "download");
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      });
    }).catch(function (error) {
      var note = document.createElement("p");
      note.className = "error";
      note.setAttribute("role", "alert");
      note.textContent = error.message;
      link.insertAdjacentElement("afterend", note);
    }).finally(function () { done(link); });
  });

  // A form whose answer takes a while (an import): its button shows the wait until the page answers.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-busy]");
    if (!form) { return; }
    var button = form.querySelector("button[type=submit], button:not([type])");
    if (button) { busy(button, form.dataset.busy); }
  });
})();

// The subject picker: a found person becomes a chip (a hidden input the form sends); × removes it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick-id]");
    if (pick) {
      var picker = pick.closest("[data-picker]");
      var chips = picker.querySelector("[data-chips]");
      var id = pick.dataset.pickId;
      if (!chips.querySelector('[data-chip="' + id + '"]')) {
        var chip = document.createElement("li");
        chip.dataset.chip = id;
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "subject_ids"; input.value = id;
        var remove = document.createElement("button");
        remove.type = "button"; remove.className = "link"; remove.dataset.unpick = "";
        remove.setAttribute("aria-label", "×"); remove.textContent = "×";
        chip.appendChild(input);
        chip.appendChild(document.createTextNode(pick.dataset.pickLabel + " "));
        chip.appendChild(remove);
        chips.appendChild(chip);
      }
      picker.querySelector(".picks").innerHTML = "";
      var box = picker.querySelector("input[type=search]");
      box.value = ""; box.focus();
      return;
    }
    var unpick = event.target.closest("[data-unpick]");
    if (unpick) { unpick.closest("li").remove(); }
  });
})();
