from django import forms

from .models import Recipient, RecipientKind


class RecipientForm(forms.Form):
    code = forms.SlugField(max_length=80, help_text="Stable short name used in links and exports, e.g. ncb-fr")
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=RecipientKind.choices)
    country = forms.CharField(max_length=2, min_length=2, help_text="Two-letter ISO code, e.g. GB, FR")
    secure_contact = forms.CharField(max_length=300, required=False, label="Secure contact point",
                                     help_text="Secure email or portal address")  # fmt: skip
    pfa_code = forms.CharField(max_length=12, required=False, label="Police force area code",
                               help_text="The ONS code postcode lookups carry, e.g. E23000001")  # fmt: skip
    country_default = forms.BooleanField(required=False, label="Default recipient for its country")
    is_active = forms.BooleanField(required=False, label="Active (can receive disseminations)")
    notes = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)

    def __init__(self, *args, recipient: Recipient | None = None, **kwargs):
        self.recipient = recipient
        super().__init__(*args, **kwargs)
        if recipient is not None:
            del self.fields["code"]  # stable once created: packages and the audit log refer to it

    def clean_country(self):
        country = self.cleaned_data["country"].upper()
        if not country.isalpha():
            raise forms.ValidationError("Enter a two-letter country code, e.g. GB or FR.")
        return country

    def clean_code(self):
        code = self.cleaned_data["code"].lower()
        if code == "new":
            raise forms.ValidationError("Choose another code: 'new' is the address of this page.")
        if Recipient.objects.filter(code=code).exists():
            raise forms.ValidationError(f"There is already a recipient with the code {code}.")
        return code

    def clean(self):
        data = super().clean()
        if data.get("country_default") and data.get("country"):
            others = Recipient.objects.filter(country=data["country"], country_default=True)
            if self.recipient is not None:
                others = others.exclude(pk=self.recipient.pk)
            if other := others.first():
                self.add_error("country_default", f"{other.name} is already the default for {data['country']}.")
        return data


class SuggestForm(forms.Form):
    postcode = forms.CharField(max_length=10, required=False)
    ip = forms.CharField(max_length=45, required=False, label="IP address")
    country = forms.CharField(max_length=2, required=False, help_text="Two-letter code")
