"""The subject-access export's one question: why it is being made."""
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class ExportForm(FlaskForm):
    reason = TextAreaField("Why you are making this export", validators=[
        DataRequired(message="Say why you are making this export."),
        Length(min=10, max=1000, message="Say why in 10 to 1,000 characters.")],
        description="For example: \u201cSubject access request from the mother, received 3 March by letter.\u201d "
                    "This is kept with the record of the export.")
