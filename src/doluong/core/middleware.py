import uuid

from doluong.core.changelog import change_context


class ChangeContextMiddleware:
    """Attributes every change made while serving a request to its user and a request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        user = getattr(request, "user", None)
        with change_context(user if user is not None and user.is_authenticated else None,
                            request_id=request.id):
            return self.get_response(request)
