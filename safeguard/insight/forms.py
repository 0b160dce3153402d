from django import forms
from django.utils import timezone

from .dimensions import AREA_LABELS, SourceGroup
from .selectors import Filters, Period, years_with_data


class FilterForm(forms.Form):
    """Period (a year, or a quarter of it), region and source. Every field is optional: blank means all."""

    year = forms.TypedChoiceField(coerce=int, required=False, label="Year")
    quarter = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Quarter",
        choices=[
            ("", "Whole year"),
            (1, "January to March"),
            (2, "April to June"),
            (3, "July to September"),
            (4, "October to December"),
        ],
    )
    area = forms.ChoiceField(required=False, label="Region", choices=[("", "All regions"), *AREA_LABELS.items()])
    source = forms.ChoiceField(required=False, label="Source", choices=[("", "All sources"), *SourceGroup.choices])

    def __init__(self, *args, with_quarter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years_with_data()]
        self.fields["year"].error_messages["invalid_choice"] = "Choose a year from the list"
        self.fields["area"].error_messages["invalid_choice"] = "Choose a region from the list"
        self.fields["source"].error_messages["invalid_choice"] = "Choose a source from the list"
        self.fields["quarter"].error_messages["invalid_choice"] = "Choose a quarter from the list"
        if not with_quarter:
            del self.fields["quarter"]

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or timezone.localdate().year
        quarter = data.get("quarter")
        period = Period.quarter(year, quarter) if quarter else Period.year(year)
        return Filters(period, area=data.get("area") or "", source=data.get("source") or "")


class YearForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, label="Year")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years_with_data()]
        self.fields["year"].error_messages["invalid_choice"] = "Choose a year from the list"
