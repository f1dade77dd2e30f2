// Starts Swagger UI on /docs (a file, not an inline script, so the CSP can forbid inline code).
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
});
