from django import forms

from .models import Todo


class TodoForm(forms.ModelForm):
    class Meta:
        model = Todo
        fields = ("title", "description")
        # Django reads Meta as declared; nothing mutates it.
        widgets = {  # noqa: RUF012
            "title": forms.TextInput(
                attrs={
                    "class": "new-todo",
                    "dir": "auto",
                    "placeholder": "What needs to be done?",
                    "aria-label": "New todo",
                    "autocomplete": "off",
                }
            ),
            "description": forms.Textarea(attrs={"rows": 2, "placeholder": "Optional details"}),
        }

    def __init__(self, *args, autofocus: bool = True, **kwargs) -> None:
        kwargs.setdefault("auto_id", "new-%s")
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["title"].widget.attrs["autofocus"] = True

    def clean_description(self) -> str | None:
        # Browsers send a textarea's line breaks as CRLF; no description is NULL.
        return self.cleaned_data["description"].replace("\r\n", "\n") or None
