// Messages sent by the server with HX-Trigger go into the live region, so screen readers hear them.
document.body.addEventListener("portal:message", function (event) {
  var region = document.getElementById("meldingen");
  if (!region) return;
  var p = document.createElement("p");
  p.className = "utrecht-alert utrecht-alert--ok";
  p.textContent = event.detail.value || event.detail;
  region.replaceChildren(p);
});
