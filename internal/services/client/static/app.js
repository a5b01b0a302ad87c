// The blog's web client. It talks to the services through relative URLs
// (POST /posts/create, GET /posts, POST /posts/{id}/comments), so it works
// wherever the gateway or an ingress serves it. User content is only ever
// set with textContent, never parsed as markup.
"use strict";

const POLL_MS = 1000;

const STATUS_TEXT = {
  pending: "This comment is awaiting moderation",
  rejected: "This comment has been rejected",
};

const postsList = document.getElementById("posts");
const emptyNote = document.getElementById("empty");
const connection = document.getElementById("connection");
const template = document.getElementById("post-template");

// Post cards by post id, kept between refreshes so that typing in a
// comment box survives the next poll.
const cards = new Map();
let firstLoad = true;

// apiError turns a failed answer into words for the reader.
async function apiError(resp, doing) {
  let detail = "";
  try {
    const body = await resp.json();
    if (body && typeof body.error === "string") {
      detail = body.error;
    }
  } catch {
    // The body was not JSON: the status line will do.
  }
  if (!detail) {
    detail = resp.statusText || "no details given";
  }
  return new Error(`${doing}: ${detail} (HTTP ${resp.status})`);
}

async function send(url, payload, doing) {
  let resp;
  try {
    resp = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
  } catch {
    throw new Error(`${doing}: the server cannot be reached; check that the blog system is running`);
  }
  if (!resp.ok) {
    throw await apiError(resp, doing);
  }
  return resp.json();
}

function commentText(c) {
  if (c.status === "approved") {
    return c.content;
  }
  return STATUS_TEXT[c.status] || STATUS_TEXT.pending;
}

// renderComments rebuilds a post's comment list only when it changed, so
// that screen readers announce changes rather than every poll.
function renderComments(list, comments) {
  const key = JSON.stringify(comments.map((c) => [c.id, c.status, c.content]));
  if (list.dataset.key === key) {
    return;
  }
  list.dataset.key = key;
  const items = comments.map((c) => {
    const li = document.createElement("li");
    li.className = c.status === "approved" ? "approved" : (c.status || "pending");
    li.dataset.id = c.id;
    li.textContent = commentText(c);
    return li;
  });
  list.replaceChildren(...items);
}

function newCard(post) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.dataset.id = post.id;
  const form = card.querySelector("form");
  const input = form.querySelector("input");
  const label = form.querySelector("label");
  input.id = `comment-${post.id}`;
  label.htmlFor = input.id;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit(form, input, "Could not add the comment", () =>
      send(`/posts/${encodeURIComponent(post.id)}/comments`, { content: input.value },
        "Could not add the comment"));
  });
  return card;
}

// setText changes an element's text only when it differs.
function setText(el, text) {
  if (el.textContent !== text) {
    el.textContent = text;
  }
}

function updateCard(card, post) {
  setText(card.querySelector(".post-title"), post.title);
  const comments = Array.isArray(post.comments) ? post.comments : [];
  const n = comments.length;
  setText(card.querySelector(".count"), n === 1 ? "1 comment" : `${n} comments`);
  setText(card.querySelector("form label"), `Comment on “${post.title}”`);
  renderComments(card.querySelector(".comments"), comments);
}

function render(posts) {
  for (const post of Object.values(posts)) {
    let card = cards.get(post.id);
    if (!card) {
      card = newCard(post);
      cards.set(post.id, card);
      // Newly created posts go first; the first load keeps the server's order.
      if (firstLoad) {
        postsList.append(card);
      } else {
        postsList.prepend(card);
      }
    }
    updateCard(card, post);
  }
  firstLoad = false;
  emptyNote.hidden = cards.size > 0;
}

function setConnection(text, bad) {
  setText(connection, text);
  connection.classList.toggle("bad", bad);
}

async function refresh() {
  try {
    const resp = await fetch("/posts", { headers: { Accept: "application/json" } });
    if (resp.status === 404) {
      throw new Error("Could not load the posts: nothing answers /posts here; " +
        "open the page through the gateway address that blogctl up prints");
    }
    if (!resp.ok) {
      throw await apiError(resp, "Could not load the posts");
    }
    render(await resp.json());
    setConnection("Up to date", false);
  } catch (err) {
    const msg = err instanceof TypeError
      ? "Could not load the posts: the server cannot be reached; retrying"
      : `${err.message}; retrying`;
    setConnection(msg, true);
  }
}

// submit runs a write from a form: it checks the input, shows errors under
// the form and refreshes the posts once the write is accepted.
async function submit(form, input, doing, write) {
  const error = form.querySelector(".error");
  const button = form.querySelector("button");
  if (input.value.trim() === "") {
    error.textContent = `${doing}: please type something first`;
    input.focus();
    return;
  }
  button.disabled = true;
  error.textContent = "";
  try {
    await write();
    input.value = "";
    await refresh();
  } catch (err) {
    error.textContent = err.message;
  } finally {
    button.disabled = false;
    input.focus();
  }
}

const postForm = document.getElementById("post-form");
const postTitle = document.getElementById("post-title");
postForm.addEventListener("submit", (e) => {
  e.preventDefault();
  submit(postForm, postTitle, "Could not create the post", () =>
    send("/posts/create", { title: postTitle.value }, "Could not create the post"));
});

// Poll one request at a time: a slow answer delays the next poll rather
// than piling requests up.
async function poll() {
  await refresh();
  setTimeout(poll, POLL_MS);
}
poll();
