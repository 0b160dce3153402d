class NoStoreForPrivatePagesMiddleware:
    """Keep the report journey and staff pages out of browser and proxy caches.

    A child on a shared device should not leave a report behind in the back button or the
    cache, and staff pages hold personal data. Public information pages may be cached.
    """

    PRIVATE_PREFIXES = ("/report/", "/staff/", "/exit")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.PRIVATE_PREFIXES):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response
