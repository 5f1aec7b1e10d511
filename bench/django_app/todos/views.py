from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
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


def _nav_key(todo_list: TodoList) -> str:
    """The id of a list's count in the navigation, which fragments update out of band."""
    return "inbox" if todo_list.is_inbox else str(todo_list.id)


def _list_context(request, filter_name: str, form: TodoForm | None = None) -> dict:
    label, conditions = FILTERS[filter_name]
    # Every list with its active count for the navigation; the page shows the Inbox.
    lists = list(TodoList.objects.usable_by(request.user).with_active_counts())
    current = next((todo_list for todo_list in lists if todo_list.is_inbox), None)
    if current is None:
        raise Http404("no Inbox")
    todos = Todo.objects.in_list(current.id)
    shown = todos.filter(**conditions)
    after = request.GET.get("after", "")
    if after.isdigit():
        shown = shown.filter(id__gt=int(after))
    page = list(shown.order_by("id")[: PAGE_SIZE + 1])
    return {
        "filter": filter_name,
        "filter_label": label,
        "list_view": f"todos_{filter_name}",
        "lists": lists,
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
    todo = get_object_or_404(
        Todo.objects.usable_by(request.user).select_related("list"), pk=todo_id
    )
    todo.done = not todo.done
    todo.save(update_fields=["done", "updated_at"])
    if not _is_htmx(request):
        return redirect("todos_all")
    context = {
        "todo": todo,
        "counts": Todo.objects.in_list(todo.list_id).counts(),
        "nav_key": _nav_key(todo.list),
        "filter": "all",
        "list_view": "todos_all",
    }
    return render(request, "todos/_changed.html", context)


@never_cache
@vary_on_headers("HX-Request", "HX-Request-Type")
@require_POST
@login_required
def create(request):
    inbox = get_object_or_404(TodoList.objects.usable_by(request.user), is_inbox=True)
    form = TodoForm(request.POST, instance=Todo(list=inbox))
    if not form.is_valid():
        if _is_htmx(request):
            return render(request, "todos/_new_form.html", {"form": form}, status=422)
        return render(request, "todos/index.html", _list_context(request, "all", form), status=422)
    todo = form.save()
    if not _is_htmx(request):
        return redirect("todos_all")
    context = {
        "todo": todo,
        "counts": Todo.objects.in_list(inbox.id).counts(),
        "nav_key": _nav_key(inbox),
        "filter": "all",
        "list_view": "todos_all",
        "form": TodoForm(autofocus=False),
    }
    return render(request, "todos/_created.html", context)


def not_in_benchmark(request, **kwargs):
    """The pages link to these routes; the benchmark never requests them."""
    raise Http404("not part of the benchmark's Django app")
