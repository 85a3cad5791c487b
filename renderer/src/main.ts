/**
 * Renderer entry: one Vue app with Pinia, talking to the lab through `window.lab`
 * (Electron) or a WebSocket (browser mode). Compiled SFCs use Vue's runtime-only build,
 * so nothing here needs eval and a strict CSP holds.
 */
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import './styles.css';

createApp(App).use(createPinia()).mount('#app');
