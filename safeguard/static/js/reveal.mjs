// Conditionally revealed questions under radios (progressive enhancement), for `.govuk-radios[data-sg-reveal]`.
// GOV.UK Frontend's radios module also sets aria-expanded on each radio, which ARIA does not allow on a radio
// (axe: aria-allowed-attr, critical; govuk-frontend issue #979). Here the revealed block is tied to its radio by
// aria-controls only, and shown while that radio is chosen. Without JavaScript every block stays shown: the
// hidden class only applies under body.govuk-frontend-supported.

function enhance(group) {
  const inputs = [...group.querySelectorAll('input[type="radio"]')];
  inputs.forEach((input) => {
    if (input.dataset.ariaControls) {
      input.setAttribute("aria-controls", input.dataset.ariaControls);
      input.removeAttribute("data-aria-controls");
    }
  });
  const sync = () =>
    inputs.forEach((input) => {
      const target = document.getElementById(input.getAttribute("aria-controls") || "");
      if (target) target.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
    });
  inputs.forEach((input) => input.addEventListener("change", sync));
  sync();
}

document.querySelectorAll(".govuk-radios[data-sg-reveal]").forEach(enhance);
