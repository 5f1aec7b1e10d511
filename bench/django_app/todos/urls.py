from django.urls import path

from . import views

# The same paths and names as the app's routes (webapp/routes/todos.py).
urlpatterns = [
    path("", views.todo_list, {"filter_name": "all"}, name="todos_all"),
    path("active", views.todo_list, {"filter_name": "active"}, name="todos_active"),
    path("completed", views.todo_list, {"filter_name": "completed"}, name="todos_completed"),
    path("todos", views.create, name="create"),
    path("todos/toggle-all", views.not_in_benchmark, name="toggle_all"),
    path("todos/clear-completed", views.not_in_benchmark, name="clear_completed"),
    path("todos/<int:todo_id>/toggle", views.toggle, name="toggle"),
    path("todos/<int:todo_id>/edit", views.not_in_benchmark, name="edit"),
    path("todos/<int:todo_id>", views.not_in_benchmark, name="update"),
    path("todos/<int:todo_id>/delete", views.not_in_benchmark, name="delete"),
    path("deletions/<int:deletion_id>/undo", views.not_in_benchmark, name="undo"),
    path("today", views.not_in_benchmark, name="today"),
    path("upcoming", views.not_in_benchmark, name="upcoming"),
    path("labels/<path:name>", views.not_in_benchmark, name="label"),
    path("search", views.not_in_benchmark, name="search"),
    path("lists", views.not_in_benchmark, name="add_list"),
    path("lists/<int:list_id>", views.not_in_benchmark, name="list_all"),
    path("account", views.not_in_benchmark, name="account"),
]
