"""formcheck's Streamlit app: ``streamlit run app.py`` (or ``formcheck app``).

Thin on purpose: page setup and navigation. The pages are in ``formcheck/app/``.
"""

import streamlit as st

from formcheck.app import components, history_page, live_page, plan_page, review_page

st.set_page_config(page_title="formcheck", page_icon="🦴", layout="wide")
page = st.navigation(
    [
        st.Page(live_page.render, title="Live", icon="📹", url_path="live", default=True),
        st.Page(review_page.render, title="Review", icon="🔍", url_path="review"),
        st.Page(history_page.render, title="History", icon="📈", url_path="history"),
        st.Page(plan_page.render, title="Plan", icon=":material/event_note:", url_path="plan"),
    ]
)
components.sidebar()
page.run()
