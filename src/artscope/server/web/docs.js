// The API documentation page: Swagger UI over this service's own schema (its files come from the
// service, never from a CDN). "Authorize" takes the bearer token for the routes that need it.
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  tryItOutEnabled: false,
});
