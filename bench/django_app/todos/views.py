from django.contrib.auth.decorators import login_required
from django.db.models import Max, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .forms import TodoForm
from .models import Todo, TodoList

PAGE_SIZE = 50
FILTERS = {
    "all": ("All", {}),
    "active": ("Active", {"done": False}),
    "completed": ("Completed", {"done": True}),
}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _nav(request, today) -> dict:
    """Every list with its counts for the navigation, and Today's and Upcoming's."""
    lists = list(TodoList.objects.usable_by(request.user).with_active_counts(today))
    return {
        "lists": lists,
        "due": sum(todo_list.due for todo_list in lists),
        "upcoming": sum(todo_list.upcoming for todo_list in lists),
    }


def _list_context(request, filter_name: str, form: TodoForm | None = None) -> dict:
    label, conditions = FILTERS[filter_name]
    # The people's dates are UTC's (the benchmark's users' time zone).
    today = timezone.localdate()
    # Every list with its counts for the navigation; the page shows the Inbox.
    nav = _nav(request, today)
    current = next((todo_list for todo_list in nav["lists"] if todo_list.is_inbox), None)
    if current is None:
        raise Http404("no Inbox")
    todos = Todo.objects.in_list(current.id)
    shown = todos.filter(**conditions)
    after = request.GET.get("after", "")
    if after.isdigit():
        shown = shown.filter(id__gt=int(after))
    page = list(shown.order_by("id").prefetch_related("labels")[: PAGE_SIZE + 1])
    return nav | {
        "today": today,
        "filter": filter_name,
        "filter_label": label,
        "list_view": f"todos_{filter_name}",
        "current": current,
        "todos": page[:PAGE_SIZE],
        "more_after": page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None,
        "counts": todos.counts(),
        "form": form or TodoForm(),
    }


@never_cache
@vary_on_headers("HX-Request", "HX-Request-Type")
@require_GET
@login_required
def todo_list(request, filter_name: str):
    return render(request, "todos/index.html", _list_context(request, filter_name))


@never_cache
@vary_on_headers("HX-Request", "HX-Request-Type")
@require_POST
@login_required
def toggle(request, todo_id: int):
    todo = get_object_or_404(Todo.objects.usable_by(request.user), pk=todo_id)
    todo.done = not todo.done
    todo.save(update_fields=["done", "updated_at"])
    if not _is_htmx(request):
        return redirect("todos_all")
    today = timezone.localdate()
    context = {
        "todo": todo,
        "today": today,
        "counts": Todo.objects.in_list(todo.list_id).counts(),
        "nav_key": todo.list_id,
        "filter": "all",
        "list_view": "todos_all",
    }
    if todo.due_on is not None:
        # Today's and Upcoming's numbers change with a todo that is due.
        context |= _nav(request, today) | {"nav": True}
    return render(request, "todos/_changed.html", context)


@never_cache
@vary_on_headers("HX-Request", "HX-Request-Type")
@require_POST
@login_required
def create(request):
    inbox = get_object_or_404(TodoList.objects.usable_by(request.user), is_inbox=True)
    # Last in the list's own order.
    last = Todo.objects.filter(list_id=inbox.id).values("list_id").annotate(m=Max("position"))
    position = Coalesce(Subquery(last.values("m")), 0) + 1024
    form = TodoForm(request.POST, instance=Todo(list=inbox, position=position))
    if not form.is_valid():
        if _is_htmx(request):
            return render(request, "todos/_new_form.html", {"form": form}, status=422)
        return render(request, "todos/index.html", _list_context(request, "all", form), status=422)
    todo = form.save()
    if not _is_htmx(request):
        return redirect("todos_all")
    context = {
        "todo": todo,
        "today": timezone.localdate(),
        "counts": Todo.objects.in_list(inbox.id).counts(),
        "nav_key": inbox.id,
        "filter": "all",
        "list_view": "todos_all",
        "form": TodoForm(autofocus=False),
    }
    return render(request, "todos/_created.html", context)


def not_in_benchmark(request, **kwargs):
    """The pages link to these routes; the benchmark never requests them."""
    raise Http404("not part of the benchmark's Django app")
