from doluong.notices.models import Notification


def unread(request):
    """The navbar's badge: the signed-in user's unread notifications (one COUNT on an index)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()}
