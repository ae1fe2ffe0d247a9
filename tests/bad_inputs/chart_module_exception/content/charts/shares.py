import altair as alt


def chart(data):
    rows = data["downlods"]
    return alt.Chart(rows).mark_bar()
