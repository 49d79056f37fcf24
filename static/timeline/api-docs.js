// Swagger UI for /api/docs, started from a file because the CSP allows no inline script.
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: element.dataset.openapiUrl,
    domNode: element,
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null, // the default badge would ask validator.swagger.io, a third party
    supportedSubmitMethods: ["get"],
    tryItOutEnabled: true,
  });
})();
