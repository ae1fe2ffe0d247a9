import altair as alt

CHART = None
