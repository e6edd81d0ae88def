/* The open data API's reference page: Swagger UI (from drf-spectacular-sidecar, served from our
 * static files) over the schema URL the page gives in data-schema-url. No inline script (CSP).
 *
 * A layout of our own replaces Swagger UI's BaseLayout: the page already has its heading,
 * introduction and <main> landmark, so only the operations (and any loading error) are shown,
 * without a second <h1> or a nested <main>. */
(function () {
  "use strict";
  var root = document.getElementById("api-docs");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var loadingText = root.getAttribute("data-loading-text") || "Loading…";
  var failedText = root.getAttribute("data-failed-text") || "The API description could not be loaded.";

  // Swagger UI's own markup, made accessible as it appears: scrollable code blocks can take the
  // keyboard focus, and each parameter's field is named after its parameter.
  function tidy() {
    var blocks = root.querySelectorAll("pre:not([tabindex])");
    for (var i = 0; i < blocks.length; i++) {
      blocks[i].setAttribute("tabindex", "0");
    }
    var fields = root.querySelectorAll("tr[data-param-name] select, tr[data-param-name] input, tr[data-param-name] textarea");
    for (var j = 0; j < fields.length; j++) {
      if (!fields[j].hasAttribute("aria-label")) {
        fields[j].setAttribute("aria-label", fields[j].closest("tr").getAttribute("data-param-name"));
      }
    }
  }
  new MutationObserver(tidy).observe(root, { childList: true, subtree: true });

  function PortalLayoutPlugin(system) {
    var h = system.React.createElement;

    function PortalLayout(props) {
      var getComponent = props.getComponent;
      var specSelectors = props.specSelectors;
      var Errors = getComponent("errors", true);
      var status = specSelectors.loadingStatus();
      if (status === "loading" || (!status && !specSelectors.specStr())) {
        return h("div", { className: "swagger-ui" }, h("p", { role: "status" }, loadingText));
      }
      if (status === "failed" || status === "failedConfig" || !specSelectors.specStr()) {
        return h("div", { className: "swagger-ui" }, h("p", { role: "alert" }, failedText), h(Errors, null));
      }
      var SvgAssets = getComponent("SvgAssets");
      var Operations = getComponent("operations", true);
      return h(
        "div",
        { className: "swagger-ui" },
        h(SvgAssets, null),
        h(Errors, null),
        h("div", { className: "portal-api-operations" }, h(Operations, null))
      );
    }

    return { components: { PortalLayout: PortalLayout } };
  }

  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: [PortalLayoutPlugin],
    layout: "PortalLayout",
    // Read-only API: "Try it out" sends GETs to this same site only.
    supportedSubmitMethods: ["get"],
    // Never call swagger.io's online validator (no third-party requests).
    validatorUrl: null,
    defaultModelsExpandDepth: -1,
    displayRequestDuration: true,
    // Plain code blocks: the highlighter's colours fail contrast and come as style attributes.
    syntaxHighlight: false,
  });
})();
