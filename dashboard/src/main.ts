import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { onUnauthorized } from './api/client';
import { startHealthPolling } from './connection/healthPolling';
import { createLiveConnection, liveConnectionKey } from './connection/liveConnection';
import { useMetricsStore } from './stores/metrics';
import './styles/theme.css';

const app = createApp(App);
app.use(createPinia());

const store = useMetricsStore();
onUnauthorized(() => {
  store.authRequired = true;
});

const connection = createLiveConnection(store);
app.provide(liveConnectionKey, connection);
app.mount('#app');
connection.start();
startHealthPolling(store);
